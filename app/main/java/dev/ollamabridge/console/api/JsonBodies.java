package dev.ollamabridge.console.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.console.instances.InvalidInput;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Request bodies as JSON objects, read by the process's mapper, which refuses a key given twice. */
final class JsonBodies {

  private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'");

  private final ObjectMapper json;

  /** @param json a mapper with {@code STRICT_DUPLICATE_DETECTION}: "last one wins" would guess what the user meant */
  JsonBodies(ObjectMapper json) {
    this.json = json;
  }

  /** The JSON object of the body; an empty body is an empty object where that is allowed (POST). */
  ObjectNode object(Context ctx, boolean emptyAllowed) {
    String text = ctx.body();
    if (text.isBlank() && emptyAllowed) {
      return JsonNodeFactory.instance.objectNode();
    }
    JsonNode node;
    try {
      node = json.readTree(text);
    } catch (IOException e) {
      Matcher duplicate = DUPLICATE.matcher(String.valueOf(e.getMessage()));
      if (duplicate.find()) {
        throw new InvalidInput(duplicate.group(1), duplicate.group(1) + " appears more than once in the body: send it once");
      }
      throw new InvalidInput(null, "the body is not valid JSON");
    }
    if (node == null || !node.isObject()) {
      throw new InvalidInput(null, "the body must be a JSON object");
    }
    return (ObjectNode) node;
  }
}
