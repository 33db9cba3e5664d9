package dev.ollamabridge.console.files;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.translate.Dialect;
import java.util.Collection;

/**
 * The cluster's model lists as nginx answers them itself, in each API's shape. Names are checked
 * model names (no quotes, backslashes or {@code $}), so the JSON can sit in a quoted nginx string.
 */
final class ModelLists {

  /** Ollama clients parse a date here; the console does not know when a backend pulled a model. */
  private static final String UNKNOWN_TIME = "1970-01-01T00:00:00Z";

  private ModelLists() {}

  /** {@code GET /v1/models}. */
  static String openAi(Collection<String> names) {
    ObjectNode list = JsonNodeFactory.instance.objectNode().put("object", "list");
    ArrayNode data = list.putArray("data");
    names.forEach(name -> data.addObject().put("id", name).put("object", "model").put("created", 0)
        .put("owned_by", "ollama-bridge"));
    return list.toString();
  }

  /** {@code GET /api/tags}. */
  static String ollamaTags(Collection<String> names) {
    ObjectNode tags = JsonNodeFactory.instance.objectNode();
    ArrayNode models = tags.putArray("models");
    names.forEach(name -> entry(models, name).put("modified_at", UNKNOWN_TIME));
    return tags.toString();
  }

  /** {@code GET /api/ps}: what the cluster serves; which of it is loaded, only each backend knows. */
  static String ollamaPs(Collection<String> names) {
    ObjectNode ps = JsonNodeFactory.instance.objectNode();
    ArrayNode models = ps.putArray("models");
    names.forEach(name -> entry(models, name).put("expires_at", UNKNOWN_TIME).put("size_vram", 0));
    return ps.toString();
  }

  /** {@code GET /api/version}: the Ollama API version the bridges answer with in front of OpenAI backends. */
  static String ollamaVersion() {
    return JsonNodeFactory.instance.objectNode().put("version", Dialect.OLLAMA_API_VERSION).toString();
  }

  private static ObjectNode entry(ArrayNode models, String name) {
    ObjectNode entry = models.addObject().put("name", name).put("model", name).put("size", 0).put("digest", "");
    entry.putObject("details").put("parent_model", "").put("format", "").put("family", "")
        .put("parameter_size", "").put("quantization_level", "");
    return entry;
  }
}
