package dev.ollamabridge.bridge.translate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/** The one JSON mapper of the bridge, and the few tree helpers every translator needs. */
public final class Json {

  public static final ObjectMapper MAPPER = JsonMapper.builder(factory()).build();

  /** Writes object properties in sorted order: the cache key must not depend on field order. */
  static final ObjectMapper CANONICAL =
      JsonMapper.builder(factory()).enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED).build();

  private Json() {}

  /**
   * Parsers and generators whose buffers every thread shares. Jackson's default keeps them per
   * thread, which recycles nothing when each request runs on a new virtual thread: every document
   * read or written would allocate its 16 KiB of buffers afresh.
   */
  private static JsonFactory factory() {
    return JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build();
  }

  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  /** The text of a field, or {@code ""} when it is absent, null or not text. */
  public static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isTextual() ? value.asText() : "";
  }

  public static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String string(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The node's JSON with every object's properties sorted, as text: Jackson's byte output would
   * escape characters beyond the BMP, and every cache key would change with it.
   */
  public static String canonical(JsonNode node) {
    try {
      return CANONICAL.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
