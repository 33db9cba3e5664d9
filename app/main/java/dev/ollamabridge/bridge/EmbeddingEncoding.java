package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/** OpenAI's {@code encoding_format} of embeddings: float arrays, or base64 of little-endian float32. */
final class EmbeddingEncoding {

  private EmbeddingEncoding() {}

  /** Whether the request asks for base64; absent or {@code float} is floats, anything else a 400. */
  static boolean base64(JsonNode format) {
    if (format == null || format.isNull() || format.isTextual() && format.asText().equals("float")) {
      return false;
    }
    if (format.isTextual() && format.asText().equals("base64")) {
      return true;
    }
    throw ApiException.badRequest("encoding_format", "encoding_format must be 'float' or 'base64'");
  }

  /** A vector as OpenAI sends it in base64: each number a little-endian IEEE 754 float32. */
  static String toBase64(JsonNode vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    vector.forEach(number -> bytes.putFloat(number.floatValue()));
    return Base64.getEncoder().encodeToString(bytes.array());
  }
}
