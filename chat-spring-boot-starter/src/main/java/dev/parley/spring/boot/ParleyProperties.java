package dev.parley.spring.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Parley's settings under {@code parley.*}, in {@code application.properties} or YAML. Every one
 * has a default; see docs/SERVER.md ("Spring Boot") for the table.
 *
 * <pre>
 * parley.path=/chat
 * parley.allowed-origins=https://partner.example
 * parley.limits.max-body-chars=2000
 * parley.redis.url=redis://localhost:6379
 * </pre>
 */
@ConfigurationProperties("parley")
public class ParleyProperties {
  /** Whether to set Parley up at all. */
  private boolean enabled = true;
  /** The WebSocket endpoint, relative to the context path. */
  private String path = "/chat";
  /**
   * Browser origins allowed besides the application's own ({@code scheme://host[:port]}): pages
   * of the same origin always may connect, others are refused with 403.
   */
  private List<String> allowedOrigins = new ArrayList<>();
  /** The room plain-text clients talk in; empty turns plain-text mode off. */
  private String plainTextRoom = "lobby";
  /** How long the server waits for the store, the bus or presence. */
  private Duration timeout = Duration.ofSeconds(5);
  /** How long a closing connection may take before it is aborted. */
  private Duration closeTimeout = Duration.ofSeconds(5);
  /** The container's idle timeout per session; default the larger of 120 s and 2 × heartbeat. */
  private Duration idleTimeout;
  private final Heartbeat heartbeat = new Heartbeat();
  private final Limits limits = new Limits();
  private final History history = new History();
  private final Redis redis = new Redis();
  private final Health health = new Health();

  /** The heartbeat: a ping every interval, a close (4000) after a silent timeout. */
  public static class Heartbeat {
    /** How often the sweep runs and pings quiet connections. */
    private Duration interval = Duration.ofSeconds(25);
    /** How long a connection may stay silent. */
    private Duration timeout = Duration.ofSeconds(60);

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = interval;
    }

    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }
  }

  /** {@code ChatLimits}; unset ones keep the library's defaults. */
  public static class Limits {
    /** Largest inbound frame, in characters. */
    private Integer maxFrameChars;
    /** Largest message body, in characters. */
    private Integer maxBodyChars;
    /** Sends a connection may make per second (sustained). */
    private Double messagesPerSecond;
    /** Sends a connection may make in a burst. */
    private Integer messageBurst;
    /** Rooms one connection may be in. */
    private Integer maxRoomsPerConnection;
    /** Connections one user may have open in the whole cluster. */
    private Integer maxConnectionsPerUser;
    /** Bytes queued for one connection before it is closed as a slow consumer (4008). */
    private Long maxOutboundBytes;

    public Integer getMaxFrameChars() {
      return maxFrameChars;
    }

    public void setMaxFrameChars(Integer maxFrameChars) {
      this.maxFrameChars = maxFrameChars;
    }

    public Integer getMaxBodyChars() {
      return maxBodyChars;
    }

    public void setMaxBodyChars(Integer maxBodyChars) {
      this.maxBodyChars = maxBodyChars;
    }

    public Double getMessagesPerSecond() {
      return messagesPerSecond;
    }

    public void setMessagesPerSecond(Double messagesPerSecond) {
      this.messagesPerSecond = messagesPerSecond;
    }

    public Integer getMessageBurst() {
      return messageBurst;
    }

    public void setMessageBurst(Integer messageBurst) {
      this.messageBurst = messageBurst;
    }

    public Integer getMaxRoomsPerConnection() {
      return maxRoomsPerConnection;
    }

    public void setMaxRoomsPerConnection(Integer maxRoomsPerConnection) {
      this.maxRoomsPerConnection = maxRoomsPerConnection;
    }

    public Integer getMaxConnectionsPerUser() {
      return maxConnectionsPerUser;
    }

    public void setMaxConnectionsPerUser(Integer maxConnectionsPerUser) {
      this.maxConnectionsPerUser = maxConnectionsPerUser;
    }

    public Long getMaxOutboundBytes() {
      return maxOutboundBytes;
    }

    public void setMaxOutboundBytes(Long maxOutboundBytes) {
      this.maxOutboundBytes = maxOutboundBytes;
    }
  }

  /** Where history lives. */
  public static class History {
    /**
     * {@code memory} (this JVM), {@code jdbc} (the application's {@code DataSource}, with
     * {@code chat-store-jdbc}), {@code redis} (needs {@code parley.redis.url} or
     * {@code parley.redis.cluster}), or empty: jdbc when possible, else Redis when it is
     * configured, else memory. An application's own {@code MessageStore} bean wins over all.
     */
    private String store = "";
    /** Messages kept per room (memory, jdbc and Redis). */
    private int perRoom = 1000;

    public String getStore() {
      return store;
    }

    public void setStore(String store) {
      this.store = store;
    }

    public int getPerRoom() {
      return perRoom;
    }

    public void setPerRoom(int perRoom) {
      this.perRoom = perRoom;
    }
  }

  /** A Redis server or Cluster that makes this application one node of a chat cluster. */
  public static class Redis {
    /** One Redis server, such as {@code redis://:secret@10.0.0.5:6379}. */
    private String url;
    /** The nodes of a Redis Cluster (instead of {@code url}). */
    private List<String> cluster = new ArrayList<>();
    /** The prefix of every key and channel. */
    private String namespace = "parley";

    public String getUrl() {
      return url;
    }

    public void setUrl(String url) {
      this.url = url;
    }

    public List<String> getCluster() {
      return cluster;
    }

    public void setCluster(List<String> cluster) {
      this.cluster = cluster;
    }

    public String getNamespace() {
      return namespace;
    }

    public void setNamespace(String namespace) {
      this.namespace = namespace;
    }

    /** Whether a server or a Cluster is configured. */
    public boolean isConfigured() {
      return (url != null && !url.isBlank()) || !cluster.isEmpty();
    }
  }

  /** The health indicator. */
  public static class Health {
    /** How long each back end may take to answer the health check. */
    private Duration timeout = Duration.ofSeconds(2);

    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public List<String> getAllowedOrigins() {
    return allowedOrigins;
  }

  public void setAllowedOrigins(List<String> allowedOrigins) {
    this.allowedOrigins = allowedOrigins;
  }

  public String getPlainTextRoom() {
    return plainTextRoom;
  }

  public void setPlainTextRoom(String plainTextRoom) {
    this.plainTextRoom = plainTextRoom;
  }

  public Duration getTimeout() {
    return timeout;
  }

  public void setTimeout(Duration timeout) {
    this.timeout = timeout;
  }

  public Duration getCloseTimeout() {
    return closeTimeout;
  }

  public void setCloseTimeout(Duration closeTimeout) {
    this.closeTimeout = closeTimeout;
  }

  public Duration getIdleTimeout() {
    return idleTimeout;
  }

  public void setIdleTimeout(Duration idleTimeout) {
    this.idleTimeout = idleTimeout;
  }

  public Heartbeat getHeartbeat() {
    return heartbeat;
  }

  public Limits getLimits() {
    return limits;
  }

  public History getHistory() {
    return history;
  }

  public Redis getRedis() {
    return redis;
  }

  public Health getHealth() {
    return health;
  }
}
