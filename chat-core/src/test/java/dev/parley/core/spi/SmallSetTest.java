package dev.parley.core.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SmallSetTest {

  @Test
  void behavesAsASet() {
    Set<String> s = new SmallSet<>();
    assertTrue(s.isEmpty());
    assertTrue(s.add("a"));
    assertTrue(s.add("b"));
    assertFalse(s.add("a"), "no duplicates");
    assertEquals(Set.of("a", "b"), s);
    assertEquals(Set.of("a", "b").hashCode(), s.hashCode());
    assertTrue(s.contains("b"));
    assertFalse(s.contains("c"));
    assertFalse(s.contains(null));
    assertTrue(s.remove("a"));
    assertFalse(s.remove("a"));
    assertEquals(Set.of("b"), s);
    s.clear();
    assertEquals(0, s.size());
    assertThrows(NullPointerException.class, () -> s.add(null));
  }

  @Test
  void goesFromOneElementToSeveralAndBack() {
    Set<Object> s = new SmallSet<>();
    assertTrue(s.add("one"));
    assertEquals(1, s.size());
    assertTrue(s.add("two"));
    assertTrue(s.add("three"));
    assertEquals(Set.of("one", "two", "three"), s);
    assertTrue(s.remove("two"));
    assertEquals(Set.of("one", "three"), s);
    assertTrue(s.remove("one"));
    assertEquals(Set.of("three"), s);
    assertTrue(s.contains("three"));
    assertFalse(s.remove("one"));
    assertTrue(s.remove("three"));
    assertTrue(s.isEmpty());
    assertFalse(s.iterator().hasNext());
    assertThrows(IllegalArgumentException.class, () -> s.add(new Object[] {"x"}),
        "an array would be read as the set of several");
  }

  @Test
  void iteratesOverASnapshotAndItsRemoveRemovesFromTheSet() {
    Set<Integer> s = new SmallSet<>();
    for (int i = 0; i < 5; i++) {
      s.add(i);
    }
    List<Integer> seen = new ArrayList<>();
    for (Iterator<Integer> it = s.iterator(); it.hasNext(); ) {
      int x = it.next();
      seen.add(x);
      s.add(100 + x); // changes during iteration do not disturb it
      if (x % 2 == 0) {
        it.remove();
      }
    }
    assertEquals(List.of(0, 1, 2, 3, 4), seen);
    assertEquals(Set.of(1, 3, 100, 101, 102, 103, 104), s);
    s.removeIf(x -> x >= 100);
    assertEquals(Set.of(1, 3), s);
  }

  @RepeatedTest(20)
  @Timeout(30)
  void concurrentAddsAndRemovesLoseNothing() throws Exception {
    Set<Integer> s = new SmallSet<>();
    int threads = 4;
    int each = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * each;
        done.add(pool.submit(() -> {
          go.await(10, TimeUnit.SECONDS);
          for (int i = 0; i < each; i++) {
            s.add(base + i);
            for (Integer x : s) { // readers see whole snapshots, never a failure
              assertTrue(x >= 0);
            }
            if (i % 2 == 1) {
              assertTrue(s.remove(base + i));
            }
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(20, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(threads * each / 2, s.size());
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < each; i += 2) {
        assertTrue(s.contains(t * each + i));
      }
    }
  }
}
