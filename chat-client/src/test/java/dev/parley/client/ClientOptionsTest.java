package dev.parley.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ClientOptionsTest {

  @Test
  void defaultsAreHalfASecondDoublingUpToThirtySecondsWithEqualJitter() {
    ClientOptions o = ClientOptions.defaults();
    assertEquals(Duration.ofMillis(500), o.initialDelay());
    assertEquals(2.0, o.multiplier());
    assertEquals(Duration.ofSeconds(30), o.maxDelay());
    assertEquals(ClientOptions.Jitter.EQUAL, o.jitter());
    // equal jitter: between half and all of 0.5, 1, 2, 4 … 30 s
    long[] ceilings = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000};
    for (int attempt = 0; attempt < ceilings.length; attempt++) {
      assertEquals(ceilings[attempt] / 2, o.reconnectDelay(attempt, () -> 0).toMillis());
      long top = o.reconnectDelay(attempt, () -> 0.999999).toMillis();
      assertTrue(top <= ceilings[attempt] && top >= ceilings[attempt] - 1, "attempt " + attempt);
    }
  }

  @Test
  void fullJitterSpreadsFromZeroAndNoJitterIsExact() {
    ClientOptions full = ClientOptions.builder().jitter(ClientOptions.Jitter.FULL).build();
    assertEquals(0, full.reconnectDelay(3, () -> 0).toMillis());
    assertEquals(2000, full.reconnectDelay(3, () -> 0.5).toMillis());
    ClientOptions none = ClientOptions.builder().jitter(ClientOptions.Jitter.NONE)
        .backoff(Duration.ofMillis(100), 3, Duration.ofMillis(1000)).build();
    assertEquals(List.of(100L, 300L, 900L, 1000L, 1000L), Stream.of(0, 1, 2, 3, 40)
        .map(a -> none.reconnectDelay(a, () -> 0.7).toMillis()).toList());
  }

  @Test
  void rejectsNonsense() {
    ClientOptions.Builder b = ClientOptions.builder();
    assertThrows(IllegalArgumentException.class,
        () -> b.backoff(Duration.ofSeconds(2), 2, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class,
        () -> b.backoff(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(2)));
    assertThrows(IllegalArgumentException.class, () -> b.pingInterval(Duration.ZERO));
    assertThrows(NullPointerException.class, () -> b.transport(null));
  }

  /**
   * Library code waits with timers and futures, never by sleeping a thread, and reports through
   * SLF4J, never System.out or printStackTrace (Javadoc examples aside).
   */
  @Test
  void libraryCodeNeverSleepsNorPrints() throws IOException {
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      List<String> offenders = files.filter(p -> p.toString().endsWith(".java"))
          .flatMap(p -> {
            try {
              return Files.readAllLines(p).stream()
                  .filter(line -> !line.trim().startsWith("*"))
                  .filter(line -> line.contains("Thread.sleep") || line.contains("System.out")
                      || line.contains("System.err") || line.contains("printStackTrace"))
                  .map(line -> p.getFileName() + ": " + line.trim());
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }).toList();
      assertEquals(List.of(), offenders);
    }
  }
}
