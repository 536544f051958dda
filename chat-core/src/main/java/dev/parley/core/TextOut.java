package dev.parley.core;

import java.io.Writer;

/**
 * A {@link Writer} into a {@link StringBuilder}, for {@link Codec}: what {@link java.io.StringWriter}
 * does without its {@link StringBuffer}'s lock on every write (Gson's writer makes one call per
 * token), sized by the caller so a frame is not copied as it grows.
 */
final class TextOut extends Writer {
  private final StringBuilder text;

  TextOut(int capacity) {
    this.text = new StringBuilder(capacity);
  }

  @Override
  public void write(int c) {
    text.append((char) c);
  }

  @Override
  public void write(char[] chars, int off, int len) {
    text.append(chars, off, len);
  }

  @Override
  public void write(String s, int off, int len) {
    text.append(s, off, off + len);
  }

  @Override
  public Writer append(CharSequence s) {
    text.append(s);
    return this;
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}

  @Override
  public String toString() {
    return text.toString();
  }
}
