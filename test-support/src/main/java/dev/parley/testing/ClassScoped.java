package dev.parley.testing;

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
