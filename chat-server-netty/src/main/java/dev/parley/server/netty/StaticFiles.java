package dev.parley.server.netty;

import dev.parley.core.transport.ServerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The few static files a chat page needs (HTML, scripts, styles, images), from a classpath folder
 * or a directory, read-only. Only regular files below the folder are served: no directory
 * listings, no {@code ..}, no symbolic links out of a directory. Classpath files are cached (they
 * do not change while the server runs); directory files are read on every request, so edits show
 * on reload. Meant for a chat page and its assets, not as a general web server: put a CDN or a
 * web server in front for anything larger. Parley's browser client, when its jar is on the class
 * path, is served at {@link ServerOptions#CLIENT_PATH} beside them ({@link #withClient}).
 */
final class StaticFiles {
  /** Files above this size are not served (404). */
  static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

  private static final Map<String, String> TYPES = Map.ofEntries(
      Map.entry("html", "text/html; charset=utf-8"),
      Map.entry("htm", "text/html; charset=utf-8"),
      Map.entry("js", "text/javascript; charset=utf-8"),
      Map.entry("mjs", "text/javascript; charset=utf-8"),
      Map.entry("css", "text/css; charset=utf-8"),
      Map.entry("json", "application/json"),
      Map.entry("map", "application/json"),
      Map.entry("txt", "text/plain; charset=utf-8"),
      Map.entry("svg", "image/svg+xml"),
      Map.entry("png", "image/png"),
      Map.entry("jpg", "image/jpeg"),
      Map.entry("jpeg", "image/jpeg"),
      Map.entry("gif", "image/gif"),
      Map.entry("webp", "image/webp"),
      Map.entry("ico", "image/x-icon"),
      Map.entry("woff", "font/woff"),
      Map.entry("woff2", "font/woff2"),
      Map.entry("wasm", "application/wasm"));

  /** A file to send. */
  record File(byte[] bytes, String contentType) {}

  private final String classpathFolder;
  private final ClassLoader loader;
  private final Path directory;
  /** What is served at {@link ServerOptions#CLIENT_PATH}; null when nothing is. */
  private final StaticFiles client;
  private final Map<String, File> cache = new ConcurrentHashMap<>();

  private StaticFiles(String classpathFolder, ClassLoader loader, Path directory,
      StaticFiles client) {
    this.classpathFolder = classpathFolder;
    this.loader = loader;
    this.directory = directory;
    this.client = client;
  }

  /** Serves nothing. */
  static StaticFiles none() {
    return new StaticFiles(null, null, null, null);
  }

  /**
   * These files, and Parley's browser client at {@link ServerOptions#CLIENT_PATH} when
   * {@code loader} has it ({@link ServerOptions#clientResources}).
   */
  StaticFiles withClient(ClassLoader loader) {
    if (ServerOptions.clientResources(loader) == null) {
      return this;
    }
    StaticFiles clientFiles = new StaticFiles(ServerOptions.CLIENT_RESOURCES, loader, null, null);
    return new StaticFiles(classpathFolder, this.loader, directory, clientFiles);
  }

  /** Serves a classpath folder such as {@code "web/"} (in a jar or a directory). */
  static StaticFiles classpath(String folder, ClassLoader loader) {
    if (loader.getResource(folder) == null) {
      throw new UncheckedIOException(new IOException("no folder on the classpath: " + folder));
    }
    return new StaticFiles(folder, loader, null, null);
  }

  /** Serves a directory. */
  static StaticFiles directory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new UncheckedIOException(new IOException("not a directory: " + dir));
    }
    try {
      return new StaticFiles(null, null, dir.toRealPath(), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  boolean enabled() {
    return classpathFolder != null || directory != null || client != null;
  }

  /**
   * The file for a decoded request path such as {@code /} or {@code /app.js}; empty when there is
   * none, or the path tries to leave the folder.
   */
  Optional<File> find(String path) {
    String clientPath = ServerOptions.CLIENT_PATH;
    if (client != null && path != null && path.startsWith(clientPath)) {
      return client.find(path.substring(clientPath.length() - 1));
    }
    String relative = relative(path);
    if (relative == null || (classpathFolder == null && directory == null)) {
      return Optional.empty();
    }
    try {
      if (directory != null) {
        return Optional.ofNullable(fromDirectory(relative));
      }
      File cached = cache.get(relative);
      if (cached == null) {
        cached = fromClasspath(relative);
        if (cached != null) {
          cache.put(relative, cached);
        }
      }
      return Optional.ofNullable(cached);
    } catch (IOException | URISyntaxException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** {@code /a/b.js} → {@code a/b.js}; a folder gets {@code index.html}; null when not allowed. */
  static String relative(String path) {
    if (path == null || !path.startsWith("/") || path.indexOf('\\') >= 0
        || path.indexOf('\0') >= 0) {
      return null;
    }
    String p = path.substring(1);
    if (p.isEmpty() || p.endsWith("/")) {
      p = p + "index.html";
    }
    for (String segment : p.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return null;
      }
    }
    return p;
  }

  private File fromDirectory(String relative) throws IOException {
    Path file = directory.resolve(relative).normalize();
    if (!file.startsWith(directory) || !Files.isRegularFile(file)
        || !file.toRealPath().startsWith(directory) || Files.size(file) > MAX_FILE_BYTES) {
      return null;
    }
    return new File(Files.readAllBytes(file), type(relative));
  }

  private File fromClasspath(String relative) throws IOException, URISyntaxException {
    URL url = loader.getResource(classpathFolder + relative);
    if (url == null) {
      return null;
    }
    if ("file".equals(url.getProtocol())) {
      Path file = Path.of(url.toURI());
      if (!Files.isRegularFile(file) || Files.size(file) > MAX_FILE_BYTES) {
        return null;
      }
      return new File(Files.readAllBytes(file), type(relative));
    }
    URLConnection connection = url.openConnection();
    connection.setUseCaches(false);
    if (connection instanceof JarURLConnection jar
        && (jar.getJarEntry() == null || jar.getJarEntry().isDirectory())) {
      return null;
    }
    try (InputStream in = connection.getInputStream()) {
      byte[] bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
      return bytes.length > MAX_FILE_BYTES ? null : new File(bytes, type(relative));
    }
  }

  private static String type(String name) {
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    return TYPES.getOrDefault(ext, "application/octet-stream");
  }

  @Override
  public String toString() {
    String site = directory != null ? directory.toString()
        : classpathFolder != null ? "classpath:" + classpathFolder : "none";
    return client != null ? site + " and parley.js" : site;
  }
}
