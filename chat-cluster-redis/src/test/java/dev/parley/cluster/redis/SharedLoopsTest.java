package dev.parley.cluster.redis;

import static dev.parley.testing.Stages.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.spi.Backplane;
import dev.parley.core.spi.Backplane.Node;
import dev.parley.core.spi.BusEvent;
import dev.parley.protocol.User;
import dev.parley.testing.RedisServer;
import io.lettuce.core.resource.DefaultEventLoopGroupProvider;
import io.lettuce.core.resource.Transports;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An engine given the application's event loops ({@link RedisEngine.Builder#eventLoopGroup})
 * runs Lettuce's connections on them: pub/sub events arrive and commands complete on those
 * threads, and closing the engine leaves the group running for its owner.
 */
class SharedLoopsTest {
  @RegisterExtension
  static final RedisServer redis = new RedisServer();

  private EventLoopGroup loops;

  @BeforeEach
  void makeLoops() {
    // the transport Lettuce picks here, as NettyChatServer.newEventLoopGroup() picks it
    loops = (EventLoopGroup) DefaultEventLoopGroupProvider.createEventLoopGroup(
        Transports.eventLoopGroupClass(), 2);
  }

  @AfterEach
  void stopLoops() {
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private boolean onTheLoops(Thread thread) {
    for (EventExecutor loop : loops) {
      if (loop.inEventLoop(thread)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void eventsAndCommandsRunOnTheGivenLoopsWhichOutliveTheEngine() throws Exception {
    for (int engineNo = 0; engineNo < 2; engineNo++) { // the second on the loops the first left
      try (RedisEngine here = RedisEngine.builder().namespace("shared" + engineNo)
          .eventLoopGroup(loops).connect(redis.uri());
           RedisEngine there = RedisEngine.builder().namespace("shared" + engineNo)
               .eventLoopGroup(loops).connect(redis.uri())) {
        assertTrue(here.link().ordersOnEventLoop(), "ordered commands on one of the loops");
        String channel = Backplane.roomChannel("room");
        BlockingQueue<Thread> receivedOn = new ArrayBlockingQueue<>(1);
        Node listening = here.backplane().join("a", new Backplane.Receiver() {
          @Override
          public void onEvent(String ch, String origin, BusEvent event) {
            receivedOn.add(Thread.currentThread());
          }

          @Override
          public void onReset() {}
        });
        await(listening.subscribe(channel));
        Node talking = there.backplane().join("b", new Backplane.Receiver() {
          @Override
          public void onEvent(String ch, String origin, BusEvent event) {}

          @Override
          public void onReset() {}
        });
        CompletableFuture<Thread> completedOn = new CompletableFuture<>();
        talking.publish(channel, new BusEvent.Typing("room", new User("u", "U")))
            .whenComplete((ok, e) -> completedOn.complete(Thread.currentThread()));
        Thread eventThread = receivedOn.poll(10, TimeUnit.SECONDS);
        assertTrue(eventThread != null && onTheLoops(eventThread),
            "the event is read on one of the given loops: " + eventThread);
        Thread commandThread = completedOn.get(10, TimeUnit.SECONDS);
        assertTrue(onTheLoops(commandThread) || commandThread == Thread.currentThread(),
            "a command completes on one of the given loops: " + commandThread);
      }
      assertFalse(loops.isShuttingDown(), "closing the engine leaves the loops to their owner");
    }
  }

  @Test
  void connectingOnTheLoopsIsRefusedInsteadOfWaitingForItself() throws Exception {
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    loops.next().execute(() -> {
      try {
        RedisEngine.builder().eventLoopGroup(loops).connect(redis.uri()).close();
        failure.complete(null);
      } catch (Throwable e) {
        failure.complete(e);
      }
    });
    assertTrue(failure.get(10, TimeUnit.SECONDS) instanceof IllegalStateException);
  }

  @Test
  void loopsOfAnotherTransportAreRefusedWithTheReason() {
    EventLoopGroup local = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    try {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RedisEngine.builder().eventLoopGroup(local).connect(redis.uri()));
      assertTrue(e.getMessage().contains("NettyChatServer.newEventLoopGroup()"), e.getMessage());
      assertFalse(local.isShuttingDown());
    } finally {
      local.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
