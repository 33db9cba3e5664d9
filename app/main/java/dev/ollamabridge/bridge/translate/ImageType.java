package dev.ollamabridge.bridge.translate;

import java.util.Base64;

/** The media type of an image sent as base64, told from its first bytes (the OpenAI API wants it in the data URL). */
public final class ImageType {

  private ImageType() {}

  /** {@code image/png}, {@code image/jpeg}, {@code image/gif} or {@code image/webp}; PNG when the bytes say none of them. */
  public static String of(String base64) {
    byte[] head;
    try {
      head = Base64.getMimeDecoder().decode(base64.substring(0, Math.min(base64.length(), 24)).replaceAll("=+$", ""));
    } catch (IllegalArgumentException e) {
      return "image/png";
    }
    if (starts(head, 0xFF, 0xD8, 0xFF)) {
      return "image/jpeg";
    }
    if (starts(head, 'G', 'I', 'F', '8')) {
      return "image/gif";
    }
    if (starts(head, 'R', 'I', 'F', 'F') && head.length >= 12 && head[8] == 'W' && head[9] == 'E' && head[10] == 'B'
        && head[11] == 'P') {
      return "image/webp";
    }
    return "image/png";
  }

  private static boolean starts(byte[] bytes, int... prefix) {
    if (bytes.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((bytes[i] & 0xFF) != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
