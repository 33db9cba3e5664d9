package dev.ollamabridge.fake.schema;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes up a JSON value that a JSON Schema accepts, as a model that follows a tool's schema does,
 * so agents that validate a call's arguments accept the fake's. The value depends only on the
 * schema and the word given (the question's last word, which every unconstrained string takes):
 * required and optional properties, an enum's first value, the first non-null branch of
 * {@code anyOf}/{@code oneOf}, {@code allOf} merged, {@code $ref}s inside the schema followed,
 * bounds, lengths, simple patterns and common formats kept.
 *
 * <p>A schema comes from a client and may be hostile: refs that loop, deep nesting, a
 * {@code minItems} in the millions, a pattern that backtracks forever. Every walk is bounded in
 * depth, in schemas visited and in values made, so the work and the answer stay small; past a
 * bound the value is a plain one of the right type, and may then fail the schema.
 */
public final class SchemaInstances {

  /** Nesting of values, refs and combined schemas followed. */
  static final int MAX_DEPTH = 24;
  /**
   * From this depth on, optional properties are left out and arrays get only the items they must
   * have, so a schema that refers to itself (a tree) ends in leaves before any bound is met.
   */
  static final int OPTIONAL_DEPTH = 8;
  /** Values made in full; as many again are made plain, then no more. */
  static final int MAX_VALUES = 400;
  /** Schemas merged while flattening, over the whole walk. */
  static final int MAX_VISITS = 4_000;
  static final int MAX_ITEMS = 16;
  static final int MAX_PROPERTIES = 64;
  /** Entries of one keyword's list or map that are read: properties, required, enum, branches. */
  static final int MAX_SCAN = 256;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> OBJECT_WORDS =
      Set.of("properties", "required", "additionalProperties", "minProperties", "maxProperties", "patternProperties");
  private static final Set<String> ARRAY_WORDS = Set.of("items", "prefixItems", "minItems", "maxItems", "contains", "uniqueItems");
  private static final Set<String> STRING_WORDS = Set.of("minLength", "maxLength", "pattern", "format");
  private static final Set<String> NUMBER_WORDS = Set.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf");
  private static final Set<String> COMBINERS = Set.of("$ref", "allOf", "anyOf", "oneOf");

  private final JsonNode root;
  private final String word;
  private int values;
  private int visits;

  private SchemaInstances(JsonNode root, String word) {
    this.root = root;
    this.word = word;
  }

  /**
   * Arguments for a tool whose parameters are {@code schema}: an object, empty when the schema
   * asks for none or for something that is no object.
   */
  public static ObjectNode arguments(JsonNode schema, String word) {
    if (!schema.isObject()) {
      return NODES.objectNode();
    }
    JsonNode value = new SchemaInstances(schema, word).value(schema, 0, 0);
    return value instanceof ObjectNode object ? object : NODES.objectNode();
  }

  /**
   * A value for {@code schema}, or null if the schema accepts none ({@code false}) or twice the
   * values allowed were made (past the bound itself, values are plain ones). Items of an
   * array whose items must differ get variants 1, 2, …: another enum value, another number, the
   * word with a number after it.
   */
  private JsonNode value(JsonNode schema, int depth, int variant) {
    if (schema.isBoolean() && !schema.booleanValue() || values >= 2 * MAX_VALUES) {
      return null;
    }
    if (depth > MAX_DEPTH || values++ >= MAX_VALUES || visits >= MAX_VISITS) {
      return plain(schema.path("type").asText(""));
    }
    ObjectNode flat = flatten(schema, depth);
    if (flat == null) {
      return null;
    }
    if (flat.has("const")) {
      return flat.get("const");
    }
    Set<String> types = types(flat);
    JsonNode listed = fromEnum(flat.path("enum"), types, variant);
    if (listed != null) {
      return listed;
    }
    return switch (chosenType(flat, types)) {
      case "null" -> NODES.nullNode();
      case "boolean" -> NODES.booleanNode(variant % 2 == 0);
      case "integer" -> SchemaNumbers.of(flat, true, variant);
      case "number" -> SchemaNumbers.of(flat, false, variant);
      case "array" -> array(flat, depth, variant);
      case "object" -> object(flat, depth, variant);
      default -> NODES.textNode(SchemaStrings.of(flat, word, variant));
    };
  }

  /** A value of the type named, made without reading further: what a bound leaves. */
  private static JsonNode plain(String type) {
    return switch (type) {
      case "string" -> NODES.textNode("");
      case "integer", "number" -> NODES.numberNode(0);
      case "boolean" -> NODES.booleanNode(false);
      case "array" -> NODES.arrayNode();
      case "object" -> NODES.objectNode();
      default -> NODES.nullNode();
    };
  }

  /**
   * One schema with {@code $ref}, {@code allOf} and the chosen branch of {@code anyOf}/{@code oneOf}
   * merged into it: a schema's own keywords first, then those of what it refers to and combines.
   * Null if the schema is {@code false}.
   */
  private ObjectNode flatten(JsonNode schema, int depth) {
    if (schema.isBoolean() && !schema.booleanValue()) {
      return null;
    }
    ObjectNode flat = NODES.objectNode();
    mergeInto(flat, schema, depth);
    return flat;
  }

  private void mergeInto(ObjectNode flat, JsonNode schema, int depth) {
    if (!schema.isObject() || depth > MAX_DEPTH || visits++ >= MAX_VISITS) {
      return;
    }
    int read = 0;
    for (Map.Entry<String, JsonNode> keyword : schema.properties()) {
      if (read++ >= MAX_SCAN) {
        break;
      }
      if (!COMBINERS.contains(keyword.getKey())) {
        merge(flat, keyword.getKey(), keyword.getValue());
      }
    }
    if (schema.path("$ref").isTextual()) {
      mergeInto(flat, resolve(schema.get("$ref").textValue()), depth + 1);
    }
    int parts = 0;
    for (JsonNode part : schema.path("allOf")) {
      if (parts++ >= MAX_SCAN) {
        break;
      }
      mergeInto(flat, part, depth + 1);
    }
    for (String choice : List.of("anyOf", "oneOf")) {
      JsonNode branches = schema.path(choice);
      if (branches.isArray() && !branches.isEmpty()) {
        JsonNode branch = firstNotNull(branches, depth);
        if (branch == null) {
          merge(flat, "type", NODES.textNode("null"));
        } else {
          mergeInto(flat, branch, depth + 1);
        }
      }
    }
  }

  /**
   * Merges one keyword: properties side by side (a property named twice must meet both schemas),
   * required names together, the types both allow; otherwise the keyword met first stays.
   */
  private static void merge(ObjectNode flat, String name, JsonNode value) {
    JsonNode present = flat.get(name);
    if (present == null) {
      flat.set(name, switch (name) {
        case "properties" -> value.isObject() ? copyOf(value) : value;
        case "required" -> value.isArray() ? NODES.arrayNode().addAll(firstOf(value)) : value;
        default -> value;
      });
      return;
    }
    switch (name) {
      case "properties" -> {
        if (present.isObject() && value.isObject()) {
          ObjectNode properties = (ObjectNode) present;
          int read = 0;
          for (Map.Entry<String, JsonNode> property : value.properties()) {
            if (read++ >= MAX_SCAN || properties.size() >= MAX_SCAN) {
              break;
            }
            JsonNode earlier = properties.get(property.getKey());
            properties.set(property.getKey(), earlier == null
                ? property.getValue()
                : NODES.objectNode().set("allOf", NODES.arrayNode().add(earlier).add(property.getValue())));
          }
        }
      }
      case "required" -> {
        if (present.isArray() && value.isArray() && present.size() < MAX_SCAN) {
          ((ArrayNode) present).addAll(firstOf(value));
        }
      }
      case "type" -> {
        Set<String> both = typeSet(present);
        both.retainAll(widened(typeSet(value)));
        Set<String> other = typeSet(value);
        other.retainAll(widened(typeSet(present)));
        both.addAll(other);
        if (!both.isEmpty()) {
          ArrayNode allowed = NODES.arrayNode();
          both.forEach(allowed::add);
          flat.set("type", allowed);
        }
      }
      default -> { }
    }
  }

  /** The first branch that allows something other than null; null if every branch allows only null. */
  private JsonNode firstNotNull(JsonNode branches, int depth) {
    int read = 0;
    for (JsonNode branch : branches) {
      if (read++ >= MAX_SCAN) {
        break;
      }
      if (branch.isBoolean() && !branch.booleanValue()) {
        continue;
      }
      ObjectNode flat = flatten(branch, depth + 1);
      boolean onlyNull = flat != null && (flat.path("const").isNull()
          || typeSet(flat.path("type")).equals(Set.of("null"))
          || flat.path("enum").size() == 1 && flat.path("enum").get(0).isNull());
      if (!onlyNull) {
        return branch;
      }
    }
    return null;
  }

  /**
   * What a {@code $ref} inside the tool's schema points at ({@code #}, {@code #/$defs/…},
   * {@code #/definitions/…}, any JSON pointer); anything else is unknown and so allows anything.
   */
  private JsonNode resolve(String ref) {
    if (!ref.startsWith("#")) {
      return MissingNode.getInstance();
    }
    try {
      String pointer = new URI(ref).getFragment();
      return pointer == null || pointer.isEmpty() ? root : root.at(JsonPointer.compile(pointer));
    } catch (URISyntaxException | IllegalArgumentException e) {
      return MissingNode.getInstance();
    }
  }

  /** Types a schema allows; empty when it names none. */
  private static Set<String> types(ObjectNode flat) {
    return typeSet(flat.path("type"));
  }

  private static Set<String> typeSet(JsonNode type) {
    Set<String> types = new LinkedHashSet<>();
    if (type.isTextual()) {
      types.add(type.textValue());
    }
    for (JsonNode each : firstOf(type)) {
      if (each.isTextual()) {
        types.add(each.textValue());
      }
    }
    return types;
  }

  /** An integer is a number too: "number" meets "integer" as "integer". */
  private static Set<String> widened(Set<String> types) {
    Set<String> widened = new LinkedHashSet<>(types);
    if (types.contains("number")) {
      widened.add("integer");
    }
    return widened;
  }

  /** The type to make: the first named that is not null, else one the other keywords suggest. */
  private static String chosenType(ObjectNode flat, Set<String> types) {
    for (String type : types) {
      if (!type.equals("null")) {
        return type;
      }
    }
    if (!types.isEmpty()) {
      return "null";
    }
    for (Map.Entry<Set<String>, String> hint : List.of(Map.entry(OBJECT_WORDS, "object"), Map.entry(ARRAY_WORDS, "array"),
        Map.entry(STRING_WORDS, "string"), Map.entry(NUMBER_WORDS, "number"))) {
      if (hint.getKey().stream().anyMatch(flat::has)) {
        return hint.getValue();
      }
    }
    return "string";
  }

  /** An enum's first value of an allowed type, null preferred last; the next ones for variants. */
  private static JsonNode fromEnum(JsonNode listed, Set<String> types, int variant) {
    if (!listed.isArray() || listed.isEmpty()) {
      return null;
    }
    List<JsonNode> fitting = new ArrayList<>();
    List<JsonNode> nulls = new ArrayList<>();
    for (JsonNode value : firstOf(listed)) {
      if (types.isEmpty() || types.contains(typeOf(value)) || value.isIntegralNumber() && types.contains("number")) {
        (value.isNull() ? nulls : fitting).add(value);
      }
    }
    fitting.addAll(nulls);
    return fitting.isEmpty() ? listed.get(0) : fitting.get(variant % fitting.size());
  }

  private static String typeOf(JsonNode value) {
    return switch (value.getNodeType()) {
      case STRING -> "string";
      case NUMBER -> value.isIntegralNumber() ? "integer" : "number";
      case BOOLEAN -> "boolean";
      case ARRAY -> "array";
      case OBJECT -> "object";
      default -> "null";
    };
  }

  /**
   * Every property the schema names, required or not (so a client sees them all), the required
   * ones first when {@code maxProperties} leaves no room for all; names required but not
   * described get a value from {@code additionalProperties}; {@code minProperties} is met with
   * extra properties where those are allowed.
   */
  private ObjectNode object(ObjectNode flat, int depth, int variant) {
    ObjectNode object = NODES.objectNode();
    JsonNode properties = flat.path("properties");
    Set<String> required = new LinkedHashSet<>();
    firstOf(flat.path("required")).forEach(name -> required.add(name.asText()));
    int room = Math.min(MAX_PROPERTIES, count(flat, "maxProperties", MAX_PROPERTIES));
    int optionalRoom = Math.max(0, room - required.size());
    int read = 0;
    for (Map.Entry<String, JsonNode> property : properties.properties()) {
      if (read++ >= MAX_SCAN || object.size() >= MAX_PROPERTIES) {
        break;
      }
      boolean needed = required.contains(property.getKey());
      if (!needed && (optionalRoom == 0 || values >= MAX_VALUES || depth >= OPTIONAL_DEPTH)) {
        continue;
      }
      JsonNode value = value(property.getValue(), depth + 1, variant);
      if (value != null) {
        object.set(property.getKey(), value);
        optionalRoom -= needed ? 0 : 1;
      }
    }
    JsonNode additional = flat.path("additionalProperties");
    JsonNode extra = additional.isObject() ? additional : NODES.objectNode();
    for (String name : required) {
      if (!object.has(name) && object.size() < MAX_PROPERTIES) {
        JsonNode value = value(properties.path(name).isMissingNode() ? extra : properties.get(name), depth + 1, variant);
        object.set(name, value == null ? NODES.nullNode() : value);
      }
    }
    int wanted = Math.min(MAX_PROPERTIES, count(flat, "minProperties", 0));
    boolean extrasAllowed = !(additional.isBoolean() && !additional.booleanValue());
    for (int n = 1; extrasAllowed && object.size() < wanted && n <= MAX_PROPERTIES * 2; n++) {
      JsonNode value = object.has("property" + n) ? null : value(extra, depth + 1, variant);
      if (value != null) {
        object.set("property" + n, value);
      }
    }
    return object;
  }

  /**
   * One item, or {@code minItems} of them, at most {@code maxItems}: {@code prefixItems} (or a
   * draft 4 list of {@code items}) first, then {@code items}; the first item also meets
   * {@code contains}; items differ from each other when {@code uniqueItems} asks for it.
   */
  private ArrayNode array(ObjectNode flat, int depth, int variant) {
    JsonNode items = flat.path("items");
    JsonNode prefix = flat.path("prefixItems").isArray() ? flat.get("prefixItems") : items.isArray() ? items : NODES.arrayNode();
    JsonNode rest = flat.has("prefixItems") || !items.isArray() ? items : flat.path("additionalItems");
    int size = Math.max(Math.max(count(flat, "minItems", 0), Math.min(prefix.size(), MAX_ITEMS)), depth < OPTIONAL_DEPTH ? 1 : 0);
    size = Math.min(Math.min(size, count(flat, "maxItems", MAX_ITEMS)), MAX_ITEMS);
    boolean unique = flat.path("uniqueItems").asBoolean(false);
    ArrayNode array = NODES.arrayNode();
    for (int i = 0; i < size; i++) {
      JsonNode schema = i < prefix.size() ? prefix.get(i) : rest.isMissingNode() ? NODES.objectNode() : rest;
      if (i == 0 && flat.has("contains")) {
        schema = NODES.objectNode().set("allOf", NODES.arrayNode().add(schema).add(flat.get("contains")));
      }
      JsonNode item = value(schema, depth + 1, unique ? variant + i : variant);
      if (item == null) {
        break;
      }
      array.add(item);
    }
    return array;
  }

  /** A non-negative count keyword ({@code minItems}, {@code maxLength}, …), or {@code absent}. */
  static int count(ObjectNode flat, String name, int absent) {
    JsonNode count = flat.path(name);
    if (!count.isNumber()) {
      return absent;
    }
    if (count.isFloatingPointNumber() && !Double.isFinite(count.doubleValue())) {
      return count.doubleValue() > 0 ? Integer.MAX_VALUE : 0;
    }
    BigDecimal value = count.decimalValue();
    return value.signum() < 0 ? 0 : value.min(BigDecimal.valueOf(Integer.MAX_VALUE)).intValue();
  }

  /** The first {@link #MAX_SCAN} elements of a list; none if it is no list. */
  private static List<JsonNode> firstOf(JsonNode list) {
    List<JsonNode> first = new ArrayList<>();
    for (JsonNode element : list.isArray() ? list : NODES.arrayNode()) {
      if (first.size() >= MAX_SCAN) {
        break;
      }
      first.add(element);
    }
    return first;
  }

  /** A shallow copy, so merging into it leaves the request's own schema as it was. */
  private static ObjectNode copyOf(JsonNode object) {
    ObjectNode copy = NODES.objectNode();
    int read = 0;
    for (Map.Entry<String, JsonNode> entry : object.properties()) {
      if (read++ >= MAX_SCAN) {
        break;
      }
      copy.set(entry.getKey(), entry.getValue());
    }
    return copy;
  }
}
