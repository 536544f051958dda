package dev.parley.bench.jmh;

import dev.parley.core.BenchAccess;
import dev.parley.protocol.Message;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The wire codec: decoding an inbound {@code send} (once per message), encoding a {@code message}
 * (once per message: fan-out shares the text), an {@code ack}; and the two per-recipient costs a
 * JSR-356 transport adds for every delivery, the core's UTF-8 length scan in
 * {@code OutboundQueue.offer} and the container's UTF-8 encoding of the same text.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
  private final String body = "42 1234567890123 " + "x".repeat(83);
  private final Message message = new Message("a1b2c3d4-2s", "bench", 12345, "sender", "sender",
      null, body, 1_767_225_600_000L);
  private final String sendFrame = "{\"type\":\"send\",\"room\":\"bench\",\"body\":\"" + body
      + "\",\"cid\":\"c12345\"}";
  private final String messageFrame = BenchAccess.encodeMessage(message);

  @Benchmark
  public int decodeSend() {
    return BenchAccess.decodeSend(sendFrame, 16);
  }

  @Benchmark
  public String encodeMessage() {
    return BenchAccess.encodeMessage(message);
  }

  @Benchmark
  public String encodeAck() {
    return BenchAccess.encodeAck("c12345", message);
  }

  @Benchmark
  public long utf8LengthPerRecipient() {
    return BenchAccess.utf8Length(messageFrame);
  }

  @Benchmark
  public byte[] utf8EncodePerRecipient() {
    return messageFrame.getBytes(StandardCharsets.UTF_8);
  }
}
