package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.bridge.translate.UpstreamDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits an upstream answer into its documents as its bytes arrive, whatever carries them: fed
 * chunk by chunk, cut anywhere (inside a UTF-8 character, between CR and LF), it hands each
 * document to {@link UpstreamStream.Documents} as soon as its line is complete. An answer declared
 * JSON is one document, handed on at {@link #finish()}; any other is lines, each told apart on its
 * own (servers get the declared type wrong): SSE {@code data:} lines, whose blank lines, {@code :}
 * comments and {@code event:} and {@code id:} fields are skipped and whose {@code [DONE]} ends the
 * answer, or NDJSON lines.
 *
 * <p>Memory is bounded: a line (or a whole JSON answer) longer than its limit, counted in bytes
 * before the LF (a CR included), is a {@link UpstreamDecoder.StreamError} as soon as the limit is
 * passed. Not thread-safe: one answer, fed by one thread at a time.
 */
final class StreamLines {

  /** A media type's type and subtype, read as OkHttp's {@code MediaType} reads them. */
  private static final Pattern TYPE_SUBTYPE =
      Pattern.compile("\\s*([a-zA-Z0-9-!#$%&'*+.^_`{|}~]+)/([a-zA-Z0-9-!#$%&'*+.^_`{|}~]+)");
  /** A buffer past this size is not kept for the next line: one long line does not pin its memory. */
  private static final int KEPT_BUFFER_BYTES = 64 * 1024;
  /** What a direct buffer is copied through: {@link ByteBuffer}s from a network library are often not on the heap. */
  private static final int COPY_BYTES = 8 * 1024;

  private final boolean wholeJson;
  private final int maxBytes;
  private final UpstreamDecoder decoder;
  private final UpstreamStream.Documents sink;
  /** The bytes of the line (or JSON answer) not complete yet. */
  private byte[] pending = new byte[0];
  private int pendingLength;
  private byte[] copy;
  private boolean ended;

  /**
   * @param contentType the answer's declared {@code Content-Type}, or null when it declared none
   * @param maxBytes the longest line, or whole JSON answer, taken
   * @param decoder the upstream dialect's decoder of this answer
   * @param sink where each document goes, with the events decoded from it
   */
  StreamLines(String contentType, int maxBytes, UpstreamDecoder decoder, UpstreamStream.Documents sink) {
    this.wholeJson = declaresJson(contentType);
    this.maxBytes = maxBytes;
    this.decoder = decoder;
    this.sink = sink;
  }

  /** Whether the answer is over: its {@code [DONE]} came, or it was finished. Bytes fed after it are ignored. */
  boolean ended() {
    return ended;
  }

  /** Takes the next bytes of the answer, handing on the documents they complete. */
  void feed(byte[] bytes, int offset, int length) {
    if (ended) {
      return;
    }
    if (wholeJson) {
      keep(bytes, offset, length);
      return;
    }
    int start = offset;
    int end = offset + length;
    for (int i = offset; i < end && !ended; i++) {
      if (bytes[i] != '\n') {
        continue;
      }
      if (pendingLength == 0) {
        checkLength(i - start);
        line(new String(bytes, start, i - start, StandardCharsets.UTF_8));
      } else {
        keep(bytes, start, i - start);
        line(takePending());
      }
      start = i + 1;
    }
    if (!ended) {
      keep(bytes, start, end - start);
    }
  }

  /** Takes the bytes between the buffer's position and its limit, which it moves to the limit. */
  void feed(ByteBuffer buffer) {
    if (buffer.hasArray()) {
      feed(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
      buffer.position(buffer.limit());
      return;
    }
    if (copy == null) {
      copy = new byte[COPY_BYTES];
    }
    while (buffer.hasRemaining()) {
      int length = Math.min(copy.length, buffer.remaining());
      buffer.get(copy, 0, length);
      feed(copy, 0, length);
    }
  }

  /** The answer's bytes are all in: hands on its last line (or its whole JSON document) and its end. */
  void finish() {
    if (ended) {
      return;
    }
    if (wholeJson) {
      ended = true;
      ObjectNode document = parseWhole();
      sink.whole(document, decoder.whole(document));
      return;
    }
    if (pendingLength > 0) {
      line(takePending()); // the last line, without its newline
    }
    if (!ended) {
      ended = true;
      sink.end(decoder.endOfStream(false));
    }
  }

  /** Whether {@code contentType} declares one JSON document: its subtype is {@code json}, as in {@code application/json}. */
  static boolean declaresJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    Matcher matcher = TYPE_SUBTYPE.matcher(contentType);
    return matcher.lookingAt() && matcher.group(2).toLowerCase(Locale.ROOT).equals("json");
  }

  private void line(String line) {
    String data = line.strip();
    if (data.isEmpty() || data.startsWith(":") || data.startsWith("event:") || data.startsWith("id:")) {
      return; // SSE separators, comments and fields other than data
    }
    if (data.startsWith("data:")) {
      data = data.substring(5).strip();
    }
    if (data.equals("[DONE]")) {
      ended = true;
      sink.end(decoder.endOfStream(true));
      return;
    }
    ObjectNode document = parse(data);
    sink.chunk(document, decoder.chunk(document));
  }

  private void keep(byte[] bytes, int offset, int length) {
    checkLength(pendingLength + length);
    if (pendingLength + length > pending.length) {
      pending = Arrays.copyOf(pending, (int) Math.min(maxBytes, Math.max(2L * pending.length, pendingLength + length)));
    }
    System.arraycopy(bytes, offset, pending, pendingLength, length);
    pendingLength += length;
  }

  private String takePending() {
    String text = new String(pending, 0, pendingLength, StandardCharsets.UTF_8);
    pendingLength = 0;
    if (pending.length > KEPT_BUFFER_BYTES) {
      pending = new byte[0];
    }
    return text;
  }

  private void checkLength(long length) {
    if (length > maxBytes) {
      throw new UpstreamDecoder.StreamError(wholeJson ? "the upstream sent a JSON answer longer than " + maxBytes + " bytes"
          : "the upstream sent a line longer than " + maxBytes + " bytes");
    }
  }

  /** The whole JSON answer, read from its bytes as they came (no text made of them but for an error). */
  private ObjectNode parseWhole() {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(pending, 0, pendingLength);
    } catch (IOException e) {
      node = null;
    }
    if (node instanceof ObjectNode object) {
      pendingLength = 0;
      if (pending.length > KEPT_BUFFER_BYTES) {
        pending = new byte[0];
      }
      return object;
    }
    return parse(takePending()); // not a JSON object: the error, in the same words as a line's
  }

  private static ObjectNode parse(String text) {
    try {
      JsonNode node = Json.MAPPER.readTree(text);
      if (node instanceof ObjectNode object) {
        return object;
      }
      throw new UpstreamDecoder.StreamError("the upstream sent a chunk that is not a JSON object: " + abbreviate(text));
    } catch (IOException e) {
      throw new UpstreamDecoder.StreamError("the upstream sent a chunk that is not JSON: " + abbreviate(text));
    }
  }

  private static String abbreviate(String text) {
    return text.length() > 120 ? text.substring(0, 120) + "…" : text;
  }
}
