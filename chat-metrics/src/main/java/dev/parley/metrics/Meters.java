package dev.parley.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The counters and gauges of one {@link ChatMetrics}, kept in plain adders (so nothing is lost
 * before a registry is bound, and a dashboard can read totals without one) and registered as
 * Micrometer function counters and gauges in every registry bound, now or later. Creating a meter
 * takes a lock; counting never does.
 */
final class Meters {
  /** What one meter is, to register it anywhere. */
  private record Definition(String name, String description, String unit, Tags tags, boolean gauge,
      Object state, ToDoubleFunction<Object> value) {
    void registerIn(MeterRegistry registry) {
      if (gauge) {
        Gauge.builder(name, state, value).description(description).baseUnit(unit).tags(tags)
            .strongReference(true).register(registry);
      } else {
        FunctionCounter.builder(name, state, value).description(description).baseUnit(unit)
            .tags(tags).register(registry);
      }
    }
  }

  private final List<MeterRegistry> registries = new ArrayList<>(); // guarded by this
  private final List<Definition> definitions = new ArrayList<>(); // guarded by this
  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> levels = new ConcurrentHashMap<>();

  /** The adder of a counter; registered the first time it is asked for. */
  LongAdder counter(String name, String description, String unit, Tags tags) {
    String key = name + tags;
    LongAdder a = counters.get(key);
    return a != null ? a : counters.computeIfAbsent(key, k -> {
      LongAdder adder = new LongAdder();
      define(new Definition(name, description, unit, tags, false, adder,
          s -> ((LongAdder) s).sum()));
      return adder;
    });
  }

  /** A level that goes up and down (a gauge); registered the first time it is asked for. */
  AtomicLong level(String name, String description, String unit, Tags tags) {
    String key = name + tags;
    AtomicLong l = levels.get(key);
    return l != null ? l : levels.computeIfAbsent(key, k -> {
      AtomicLong level = new AtomicLong();
      define(new Definition(name, description, unit, tags, true, level,
          s -> ((AtomicLong) s).get()));
      return level;
    });
  }

  /** A gauge whose value a function reads at each scrape. */
  <T> void gauge(String name, String description, String unit, T state, ToDoubleFunction<T> value) {
    @SuppressWarnings("unchecked")
    ToDoubleFunction<Object> f = (ToDoubleFunction<Object>) value;
    define(new Definition(name, description, unit, Tags.empty(), true, state, f));
  }

  private synchronized void define(Definition d) {
    definitions.add(d);
    for (MeterRegistry r : registries) {
      d.registerIn(r);
    }
  }

  /** Registers every meter defined so far, and every later one, in {@code registry}. */
  synchronized void bindTo(MeterRegistry registry) {
    if (registries.contains(registry)) {
      return;
    }
    registries.add(registry);
    for (Definition d : definitions) {
      d.registerIn(registry);
    }
  }
}
