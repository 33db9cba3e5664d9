package dev.ollamabridge.bridge.requestlog;

import dev.ollamabridge.logs.LogText;
import java.nio.charset.StandardCharsets;

/** The bounds of the request log's texts, applied where a line is built. */
public final class Texts {

  /** The longest error text, on one line. */
  public static final int MAX_ERROR_CHARS = 1000;
  /** The most of a body a line keeps, in bytes of UTF-8. */
  public static final int MAX_BODY_BYTES = 64 * 1024;
  /** Ends a body that was cut. */
  public static final String CUT = "…[cut]";

  private Texts() {}

  /** The error as one line of at most {@value #MAX_ERROR_CHARS} characters (with a note of what was left off). */
  public static String error(String text) {
    return text == null ? null : LogText.oneLine(text, MAX_ERROR_CHARS);
  }

  /**
   * A body as text: its first {@value #MAX_BODY_BYTES} bytes (never half a character), then
   * {@value #CUT} when there was more. JSON escapes whatever it holds when the line is written.
   */
  public static String body(byte[] bytes, int length) {
    if (bytes == null) {
      return null;
    }
    int kept = Math.min(length, MAX_BODY_BYTES);
    if (kept < length) {
      while (kept > 0 && (bytes[kept] & 0xC0) == 0x80) {
        kept--; // back to the start of the character the cut would split
      }
    }
    String text = new String(bytes, 0, kept, StandardCharsets.UTF_8);
    return kept < length ? text + CUT : text;
  }
}
