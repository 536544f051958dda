package dev.parley.bench.jmh;

import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.core.ChatSession;
import dev.parley.core.Connection;
import dev.parley.protocol.User;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@code send} frame routed by the core to a room of {@code members} connections: parse,
 * rate limits, store append (seq), encode once, ack to the sender, and a {@code send} call per
 * member. {@code transport=counting} connections only count (the core alone);
 * {@code transport=queued} put the real {@code OutboundQueue} in front of a writer that completes
 * at once (what every network transport adds per recipient). Divide the score by
 * {@code members} for the cost per delivery.
 *
 * <p>The inbound frames are encoded once, in setup; with {@code cid=true} every frame carries a
 * distinct {@code cid} (more than the de-duplication window holds, so none is ever a retry).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RoutingBenchmark {
  private static final String ROOM = "bench";
  /** More than ChatLimits' default de-duplication window (100 000), a power of two. */
  private static final int FRAMES = 1 << 17;

  @Param({"1000"})
  int members;

  @Param({"counting", "queued"})
  String transport;

  @Param({"false", "true"})
  boolean cid;

  private ChatServer server;
  private ChatSession sender;
  private final List<Connection> connections = new ArrayList<>();
  private String[] frames;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    ChatLimits limits = ChatLimits.builder()
        .messageRate(1e9, 1_000_000_000)
        .frameRate(1e9, 1_000_000_000)
        .build();
    server = ChatServer.builder().limits(limits).build();
    String join = "{\"type\":\"join\",\"room\":\"" + ROOM + "\"}";
    for (int i = 0; i < members; i++) {
      ChatSession s = server.open(connection("m" + i));
      s.receive(join);
    }
    sender = server.open(connection("sender"));
    sender.receive(join);
    String body = "x".repeat(80);
    frames = new String[cid ? FRAMES : 1];
    for (int i = 0; i < frames.length; i++) {
      frames[i] = "{\"type\":\"send\",\"room\":\"" + ROOM + "\",\"body\":\"" + i + " " + body + "\""
          + (cid ? ",\"cid\":\"c" + i + "\"" : "") + "}";
    }
  }

  private Connection connection(String id) {
    Connection c = "queued".equals(transport)
        ? new InstantWriterConnection(id, User.of(id), 1 << 20)
        : new CountingConnection(id, User.of(id));
    connections.add(c);
    return c;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    long delivered = 0;
    for (Connection c : connections) {
      delivered += c instanceof CountingConnection cc ? cc.frames : ((InstantWriterConnection) c).frames;
    }
    if (delivered == 0) {
      throw new IllegalStateException("nothing was delivered: the benchmark measured nothing");
    }
    server.close();
  }

  @Benchmark
  public void sendToRoom() {
    sender.receive(frames[next++ & (frames.length - 1)]);
  }
}
