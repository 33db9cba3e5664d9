package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * {@code --model-alias CLIENT=BACKEND}: a request that names CLIENT goes upstream naming BACKEND,
 * and what comes back names CLIENT again. Names match exactly as written; an alias is resolved
 * once, never through another alias.
 */
final class ModelAliases {

  /** A request's model as the client named it and as the backend knows it; the same unless an alias maps it. */
  record ModelName(String client, String backend) {

    boolean aliased() {
      return !client.equals(backend);
    }

    /** Names the client's model in {@code field} of an answer that names the model, when an alias renamed it. */
    ObjectNode restore(ObjectNode answer, String field) {
      if (aliased() && answer.path(field).isTextual()) {
        answer.put(field, client);
      }
      return answer;
    }

    /** {@link #restore} as a rewrite of a passed-through answer; null (none) when no alias renamed the model. */
    UnaryOperator<ObjectNode> restoring(String field) {
      return aliased() ? answer -> restore(answer, field) : null;
    }
  }

  private final Map<String, String> backendByClient;

  ModelAliases(Map<String, String> backendByClient) {
    this.backendByClient = Collections.unmodifiableMap(new LinkedHashMap<>(backendByClient));
  }

  boolean isEmpty() {
    return backendByClient.isEmpty();
  }

  /** The model {@code name} as the backend knows it. */
  ModelName resolve(String name) {
    return new ModelName(name, backendByClient.getOrDefault(name, name));
  }

  /**
   * Renames the model in a request's {@code field} to the backend's name; a field that does not
   * name a model is left for the route to refuse.
   */
  ModelName resolve(ObjectNode request, String field) {
    JsonNode model = request.get(field);
    if (model == null || !model.isTextual()) {
      return new ModelName("", "");
    }
    ModelName name = resolve(model.asText());
    request.put(field, name.backend());
    return name;
  }

  /** {@link #addTo} as a rewrite of a passed-through list in {@code arrayField}; null (none) without aliases. */
  UnaryOperator<ObjectNode> listing(String arrayField, String... nameFields) {
    return isEmpty() ? null : list -> {
      addTo(list.get(arrayField), nameFields);
      return list;
    };
  }

  /**
   * Adds to a model list, under each alias's name, a copy of the entry of the model the alias names,
   * where the list has one; the copy takes the place of an entry of the backend's that has the
   * alias's name, since requests for that name now go to the alias's model.
   *
   * @param entries the list's array ({@code models} of Ollama's tags, {@code data} of OpenAI's list)
   * @param nameFields the fields of an entry that hold the model's name ({@code name} and {@code model},
   *     or {@code id})
   */
  void addTo(JsonNode entries, String... nameFields) {
    if (isEmpty() || !(entries instanceof ArrayNode list)) {
      return;
    }
    List<JsonNode> asListed = new ArrayList<>();
    list.forEach(asListed::add); // an alias copies the backend's entry, never another alias's
    backendByClient.forEach((client, backend) -> {
      ObjectNode listed = find(asListed, nameFields[0], backend);
      if (listed == null) {
        return; // the backend does not list it: neither do we
      }
      ObjectNode copy = listed.deepCopy();
      for (String field : nameFields) {
        if (copy.has(field)) {
          copy.put(field, client);
        }
      }
      for (int i = list.size() - 1; i >= 0; i--) {
        if (client.equals(list.get(i).path(nameFields[0]).asText())) {
          list.remove(i);
        }
      }
      list.add(copy);
    });
  }

  /** The entry of {@code model}, where Ollama's {@code name} and {@code name:latest} are one model. */
  private static ObjectNode find(List<JsonNode> list, String nameField, String model) {
    String wanted = withoutLatestTag(model);
    for (JsonNode entry : list) {
      if (entry instanceof ObjectNode object && withoutLatestTag(entry.path(nameField).asText()).equals(wanted)) {
        return object;
      }
    }
    return null;
  }

  private static String withoutLatestTag(String name) {
    return name.endsWith(":latest") ? name.substring(0, name.length() - ":latest".length()) : name;
  }
}
