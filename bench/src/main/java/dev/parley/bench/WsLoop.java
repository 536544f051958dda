package dev.parley.bench;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One selector thread of a {@link WsClient}: it runs the tasks handed to it and serves the ready
 * connections registered with its selector.
 *
 * <h2>Lifecycle</h2>
 * Running once its thread is started; {@link #stop()} ends the loop and closes its sockets.
 */
final class WsLoop implements Runnable {
  final Thread thread;
  final Selector selector;
  final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  volatile boolean running = true;
  /** The read buffer every connection of this loop reads into, in turn. */
  byte[] work = new byte[WsClient.WORK_BYTES];

  WsLoop(int index) {
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    thread = new Thread(this, "load-io-" + index);
    thread.setDaemon(true);
  }

  void submit(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  void stop() {
    running = false;
    selector.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SelectionKey k : selector.keys()) {
      try {
        k.channel().close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void run() {
    while (running) {
      try {
        selector.select(100);
        Runnable t;
        while ((t = tasks.poll()) != null) {
          t.run();
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey k = it.next();
          it.remove();
          WsConn c = (WsConn) k.attachment();
          c.ready(k);
        }
      } catch (IOException | RuntimeException e) {
        if (running) {
          WsClient.log.warn("selector loop failed; going on", e);
        }
      }
    }
  }
}
