package dev.parley.testing;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** Jars made by a test, and code run with one on the class path (static resources in a jar). */
public final class TestJar {
  private TestJar() {}

  /** Something to run that may throw. */
  @FunctionalInterface
  public interface Step {
    /** Runs. */
    void run() throws Exception;
  }

  /** Writes a jar to {@code file} with entries {@code "folder/"} or {@code "path=content"}. */
  public static Path create(Path file, String... entries) throws Exception {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file))) {
      for (String e : entries) {
        int eq = e.indexOf('=');
        out.putNextEntry(new JarEntry(eq < 0 ? e : e.substring(0, eq)));
        if (eq >= 0) {
          out.write(e.substring(eq + 1).getBytes(StandardCharsets.UTF_8));
        }
        out.closeEntry();
      }
    }
    return file;
  }

  /** Runs {@code step} with {@code jar} on the thread's context class loader. */
  public static void withContextClassLoader(Path jar, Step step) throws Exception {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, previous)) {
      thread.setContextClassLoader(loader);
      step.run();
    } finally {
      thread.setContextClassLoader(previous);
    }
  }
}
