package dev.parley.js;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;

/**
 * {@code parley.js}, Parley's browser client, as this jar ships it: for servers that serve it
 * themselves. Servlet containers need nothing from this class: the script is at
 * {@value #RESOURCE}, which they serve at {@value #PATH} (the Servlet convention for resources in
 * a jar's {@code META-INF/resources}); {@code NettyChatServer} and {@code JettyChatServer} serve
 * it there too when this jar is on their class path.
 *
 * <pre>{@code
 * // any HTTP server: answer GET /parley/parley.js with
 * byte[] script = ParleyJs.bytes();          // Content-Type: ParleyJs.CONTENT_TYPE
 * }</pre>
 *
 * <p>Stateless; safe on any thread.
 */
public final class ParleyJs {
  /** Where the script is on the class path. */
  public static final String RESOURCE = "META-INF/resources/parley/parley.js";
  /** The path pages load it from: {@code <script src="/parley/parley.js"></script>}. */
  public static final String PATH = "/parley/parley.js";
  /** The content type to serve it with. */
  public static final String CONTENT_TYPE = "text/javascript; charset=utf-8";

  private ParleyJs() {}

  /** The script's location in this jar (or in {@code target/classes} during a build). */
  public static URL resource() {
    URL url = ParleyJs.class.getClassLoader().getResource(RESOURCE);
    if (url == null) {
      // only a repackaging that dropped the file gets here
      throw new IllegalStateException(RESOURCE + " is missing from the class path");
    }
    return url;
  }

  /**
   * The script's bytes (UTF-8), a new array on every call.
   *
   * @throws UncheckedIOException when the jar cannot be read
   */
  public static byte[] bytes() {
    try (InputStream in = resource().openStream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }
}
