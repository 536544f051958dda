package dev.parley.cluster.redis;

import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Lettuce's event loops taken from the application (a {@code NettyChatServer}'s group, so that
 * one set of threads reads Redis and writes the WebSocket frames an event becomes). Lettuce
 * asks for a group by class and releases it when a client shuts down; this hands out the one
 * group for every class and never stops it: its owner does.
 */
final class SharedLoops implements EventLoopGroupProvider {
  private final EventLoopGroup group;

  SharedLoops(EventLoopGroup group) {
    this.group = group;
  }

  /**
   * The one group, whatever class is asked for: Lettuce only hands it to its bootstrap, which
   * needs an {@link EventLoopGroup}.
   */
  @Override
  @SuppressWarnings("unchecked")
  public <T extends EventLoopGroup> T allocate(Class<T> type) {
    return (T) group;
  }

  /**
   * The group's loops, counted when asked; in Lettuce only {@code
   * ClientResources.ioThreadPoolSize()} asks, no connection path.
   */
  @Override
  public int threadPoolSize() {
    int loops = 0;
    for (var ignored : group) {
      loops++;
    }
    return Math.max(1, loops);
  }

  /** Does not shut the group down: its owner does. */
  @Override
  public Future<Boolean> release(EventExecutorGroup eventLoopGroup, long quietPeriod, long timeout,
      TimeUnit unit) {
    return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
  }

  /** Does not shut the group down: its owner does. */
  @Override
  public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit timeUnit) {
    return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
  }
}
