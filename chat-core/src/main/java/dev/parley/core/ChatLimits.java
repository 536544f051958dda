package dev.parley.core;

/**
 * The limits the server enforces on every connection, with safe defaults. Immutable; build with
 * {@link #builder()}. Every limit applies per connection unless it says otherwise.
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>limit</th><th>default</th><th>over it</th></tr>
 *   <tr><td>{@link #maxFrameChars()}</td><td>65 536</td><td>{@code error too_large}
 *       (transports close with 1009 at the same size)</td></tr>
 *   <tr><td>{@link #maxBodyChars()}</td><td>4 000</td><td>{@code error too_large}</td></tr>
 *   <tr><td>{@link #maxJsonDepth()}</td><td>16</td><td>{@code error bad_frame}</td></tr>
 *   <tr><td>{@link #messagesPerSecond()} / {@link #messageBurst()}</td><td>20 / 40</td>
 *       <td>{@code error rate_limited}; the send is dropped</td></tr>
 *   <tr><td>{@link #framesPerSecond()} / {@link #frameBurst()}</td><td>100 / 200</td>
 *       <td>{@code error rate_limited}; the frame is dropped</td></tr>
 *   <tr><td>{@link #maxRoomsPerConnection()}</td><td>100</td><td>{@code error too_many_rooms}</td></tr>
 *   <tr><td>{@link #maxConnectionsPerUser()}</td><td>16</td><td>close 4429</td></tr>
 *   <tr><td>{@link #maxOutboundBytes()}</td><td>1 MiB</td><td>close 4008 (slow consumer)</td></tr>
 *   <tr><td>{@link #historyPageMax()}</td><td>200</td><td>clamped</td></tr>
 *   <tr><td>{@link #dedupEntries()}</td><td>100 000 (whole server)</td><td>oldest forgotten</td></tr>
 * </table>
 */
public final class ChatLimits {
  private final int maxFrameChars;
  private final int maxBodyChars;
  private final int maxJsonDepth;
  private final double messagesPerSecond;
  private final int messageBurst;
  private final double framesPerSecond;
  private final int frameBurst;
  private final int maxRoomsPerConnection;
  private final int maxConnectionsPerUser;
  private final long maxOutboundBytes;
  private final int historyPageDefault;
  private final int historyPageMax;
  private final int dedupEntries;
  private final int maxRoomNameChars;

  private ChatLimits(Builder b) {
    this.maxFrameChars = b.maxFrameChars;
    this.maxBodyChars = b.maxBodyChars;
    this.maxJsonDepth = b.maxJsonDepth;
    this.messagesPerSecond = b.messagesPerSecond;
    this.messageBurst = b.messageBurst;
    this.framesPerSecond = b.framesPerSecond;
    this.frameBurst = b.frameBurst;
    this.maxRoomsPerConnection = b.maxRoomsPerConnection;
    this.maxConnectionsPerUser = b.maxConnectionsPerUser;
    this.maxOutboundBytes = b.maxOutboundBytes;
    this.historyPageDefault = b.historyPageDefault;
    this.historyPageMax = b.historyPageMax;
    this.dedupEntries = b.dedupEntries;
    this.maxRoomNameChars = b.maxRoomNameChars;
  }

  /** The defaults in the table above. */
  public static ChatLimits defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these limits. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxFrameChars = maxFrameChars;
    b.maxBodyChars = maxBodyChars;
    b.maxJsonDepth = maxJsonDepth;
    b.messagesPerSecond = messagesPerSecond;
    b.messageBurst = messageBurst;
    b.framesPerSecond = framesPerSecond;
    b.frameBurst = frameBurst;
    b.maxRoomsPerConnection = maxRoomsPerConnection;
    b.maxConnectionsPerUser = maxConnectionsPerUser;
    b.maxOutboundBytes = maxOutboundBytes;
    b.historyPageDefault = historyPageDefault;
    b.historyPageMax = historyPageMax;
    b.dedupEntries = dedupEntries;
    b.maxRoomNameChars = maxRoomNameChars;
    return b;
  }

  /** Largest inbound text frame, in UTF-16 characters (a UTF-8 frame of this many bytes fits). */
  public int maxFrameChars() {
    return maxFrameChars;
  }

  /** Largest message body, in characters. */
  public int maxBodyChars() {
    return maxBodyChars;
  }

  /** Deepest nesting of arrays and objects in an inbound frame. */
  public int maxJsonDepth() {
    return maxJsonDepth;
  }

  /** Sustained {@code send} rate per connection (token bucket refill per second). */
  public double messagesPerSecond() {
    return messagesPerSecond;
  }

  /** {@code send}s a connection may make at once before the rate applies (bucket size). */
  public int messageBurst() {
    return messageBurst;
  }

  /** Sustained rate of all frames but {@code ping} per connection. */
  public double framesPerSecond() {
    return framesPerSecond;
  }

  /** Frames a connection may send at once before {@link #framesPerSecond()} applies. */
  public int frameBurst() {
    return frameBurst;
  }

  /** Rooms one connection may be in at once. */
  public int maxRoomsPerConnection() {
    return maxRoomsPerConnection;
  }

  /** Open connections one user may have at once. */
  public int maxConnectionsPerUser() {
    return maxConnectionsPerUser;
  }

  /** Bytes (UTF-8) a connection may have queued for sending before it counts as a slow consumer. */
  public long maxOutboundBytes() {
    return maxOutboundBytes;
  }

  /** Messages a {@code history} answer holds when the request names no {@code limit}. */
  public int historyPageDefault() {
    return historyPageDefault;
  }

  /** Most messages one {@code history} answer holds; larger limits are clamped to it. */
  public int historyPageMax() {
    return historyPageMax;
  }

  /** How many recent {@code (user, cid)} pairs the server remembers to drop retried sends. */
  public int dedupEntries() {
    return dedupEntries;
  }

  /** Longest room name, in characters. */
  public int maxRoomNameChars() {
    return maxRoomNameChars;
  }

  @Override
  public String toString() {
    return "ChatLimits{frame=" + maxFrameChars + ", body=" + maxBodyChars + ", depth=" + maxJsonDepth
        + ", msg/s=" + messagesPerSecond + "/" + messageBurst + ", frames/s=" + framesPerSecond
        + "/" + frameBurst + ", rooms=" + maxRoomsPerConnection + ", connsPerUser="
        + maxConnectionsPerUser + ", outbound=" + maxOutboundBytes + "}";
  }

  /** Builds {@link ChatLimits}; every setter rejects values that make no sense. */
  public static final class Builder {
    private int maxFrameChars = 64 * 1024;
    private int maxBodyChars = 4000;
    private int maxJsonDepth = 16;
    private double messagesPerSecond = 20;
    private int messageBurst = 40;
    private double framesPerSecond = 100;
    private int frameBurst = 200;
    private int maxRoomsPerConnection = 100;
    private int maxConnectionsPerUser = 16;
    private long maxOutboundBytes = 1024 * 1024;
    private int historyPageDefault = 50;
    private int historyPageMax = 200;
    private int dedupEntries = 100_000;
    private int maxRoomNameChars = 64;

    private Builder() {}

    /** See {@link ChatLimits#maxFrameChars()}; at least 256. */
    public Builder maxFrameChars(int chars) {
      this.maxFrameChars = atLeast("maxFrameChars", chars, 256);
      return this;
    }

    /** See {@link ChatLimits#maxBodyChars()}; at least 1. */
    public Builder maxBodyChars(int chars) {
      this.maxBodyChars = atLeast("maxBodyChars", chars, 1);
      return this;
    }

    /** See {@link ChatLimits#maxJsonDepth()}; 2 to 255. */
    public Builder maxJsonDepth(int depth) {
      if (depth < 2 || depth > 255) {
        throw new IllegalArgumentException("maxJsonDepth must be 2..255: " + depth);
      }
      this.maxJsonDepth = depth;
      return this;
    }

    /** See {@link ChatLimits#messagesPerSecond()} and {@link ChatLimits#messageBurst()}. */
    public Builder messageRate(double perSecond, int burst) {
      if (!(perSecond > 0)) {
        throw new IllegalArgumentException("messages perSecond must be > 0: " + perSecond);
      }
      this.messagesPerSecond = perSecond;
      this.messageBurst = atLeast("message burst", burst, 1);
      return this;
    }

    /** See {@link ChatLimits#framesPerSecond()} and {@link ChatLimits#frameBurst()}. */
    public Builder frameRate(double perSecond, int burst) {
      if (!(perSecond > 0)) {
        throw new IllegalArgumentException("frames perSecond must be > 0: " + perSecond);
      }
      this.framesPerSecond = perSecond;
      this.frameBurst = atLeast("frame burst", burst, 1);
      return this;
    }

    /** See {@link ChatLimits#maxRoomsPerConnection()}; at least 1. */
    public Builder maxRoomsPerConnection(int rooms) {
      this.maxRoomsPerConnection = atLeast("maxRoomsPerConnection", rooms, 1);
      return this;
    }

    /** See {@link ChatLimits#maxConnectionsPerUser()}; at least 1. */
    public Builder maxConnectionsPerUser(int connections) {
      this.maxConnectionsPerUser = atLeast("maxConnectionsPerUser", connections, 1);
      return this;
    }

    /** See {@link ChatLimits#maxOutboundBytes()}; at least 4096. */
    public Builder maxOutboundBytes(long bytes) {
      if (bytes < 4096) {
        throw new IllegalArgumentException("maxOutboundBytes must be >= 4096: " + bytes);
      }
      this.maxOutboundBytes = bytes;
      return this;
    }

    /** See {@link ChatLimits#historyPageDefault()} and {@link ChatLimits#historyPageMax()}. */
    public Builder historyPage(int defaultSize, int maxSize) {
      atLeast("history page default", defaultSize, 1);
      if (maxSize < defaultSize) {
        throw new IllegalArgumentException("history page max < default: " + maxSize);
      }
      this.historyPageDefault = defaultSize;
      this.historyPageMax = maxSize;
      return this;
    }

    /** See {@link ChatLimits#dedupEntries()}; at least 16. */
    public Builder dedupEntries(int entries) {
      this.dedupEntries = atLeast("dedupEntries", entries, 16);
      return this;
    }

    /** See {@link ChatLimits#maxRoomNameChars()}; 1 to 200. */
    public Builder maxRoomNameChars(int chars) {
      if (chars < 1 || chars > 200) {
        throw new IllegalArgumentException("maxRoomNameChars must be 1..200: " + chars);
      }
      this.maxRoomNameChars = chars;
      return this;
    }

    /** The limits. */
    public ChatLimits build() {
      return new ChatLimits(this);
    }

    private static int atLeast(String name, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(name + " must be >= " + min + ": " + value);
      }
      return value;
    }
  }
}
