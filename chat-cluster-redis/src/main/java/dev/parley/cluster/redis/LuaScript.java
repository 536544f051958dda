package dev.parley.cluster.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script from this package's resources, with the SHA-1 digest Redis knows it by. A script
 * may start with shared functions: {@code of("room.lua", "append.lua")} is the two files joined.
 */
record LuaScript(String name, String source, String sha1) {

  static LuaScript of(String... files) {
    StringBuilder source = new StringBuilder();
    for (String file : files) {
      source.append(read(file)).append('\n');
    }
    String text = source.toString();
    return new LuaScript(files[files.length - 1], text, sha1(text));
  }

  private static String read(String file) {
    try (InputStream in = LuaScript.class.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource " + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String text) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-1");
      return HexFormat.of().formatHex(d.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-1", e);
    }
  }
}
