package dev.parley.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A back end a test class registers as a static extension: opened before the class's first test,
 * closed after its last. Nested classes inherit the extension and find it open.
 */
abstract class ClassScoped implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  private String openedBy;

  /** Starts the back end. */
  abstract void open();

  /** A port of 127.0.0.1 that was free a moment ago. */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public abstract void close();

  @Override
  public final synchronized void beforeAll(ExtensionContext context) {
    if (openedBy == null) {
      open();
      openedBy = context.getUniqueId();
    }
  }

  @Override
  public final synchronized void afterAll(ExtensionContext context) {
    if (context.getUniqueId().equals(openedBy)) {
      openedBy = null;
      close();
    }
  }
}
