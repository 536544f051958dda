package dev.parley.core.transport.http;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code send} request's body: UTF-8, a JSON array of strings, each one v1 frame exactly as it would
 * travel in a WebSocket text frame (the chat server parses and checks each as it does those).
 * Read strictly: anything else in the body is refused as a whole.
 */
final class FrameBody {
  private FrameBody() {}

  /**
   * The frames, in order; null when {@code body} is not UTF-8 (a WebSocket text frame must be
   * too), or not a JSON array of strings.
   */
  static List<String> parse(byte[] body) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    JsonReader r = new JsonReader(new StringReader(text));
    r.setStrictness(Strictness.STRICT);
    r.setNestingLimit(1);
    try {
      List<String> frames = new ArrayList<>();
      r.beginArray();
      while (r.hasNext()) {
        if (r.peek() != JsonToken.STRING) {
          return null;
        }
        frames.add(r.nextString());
      }
      r.endArray();
      return r.peek() == JsonToken.END_DOCUMENT ? frames : null;
    } catch (IOException | IllegalStateException | NumberFormatException e) {
      return null; // MalformedJsonException is an IOException
    }
  }
}
