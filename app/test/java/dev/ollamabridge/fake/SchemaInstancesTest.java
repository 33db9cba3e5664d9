package dev.ollamabridge.fake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ollamabridge.fake.schema.SchemaInstances;
import dev.ollamabridge.testing.SchemaValidation;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fake's tool arguments are valid for the schema the tool was given, checked by a real JSON
 * Schema validator over the shapes that clients send (hand-written, Pydantic's, Zod's, LangChain4j's,
 * OpenAI's strict mode), and stay small for schemas built to make them loop or grow.
 */
class SchemaInstancesTest {

  private static final String WORD = "Paris";

  static Stream<Arguments> schemas() {
    return Stream.of(
        shape("plain types", """
            {"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"},
             "ratio":{"type":"number"},"metric":{"type":"boolean"},"nothing":{"type":"null"}},
             "required":["city","days","ratio","metric","nothing"],"additionalProperties":false}"""),
        shape("required enum and optional fields", """
            {"type":"object","properties":{"unit":{"type":"string","enum":["celsius","fahrenheit"]},
             "city":{"type":"string"},"note":{"type":"string","maxLength":3}},"required":["unit"]}"""),
        shape("const", """
            {"type":"object","properties":{"kind":{"const":"weather"},"version":{"const":2}},"required":["kind","version"]}"""),
        shape("nullable by anyOf (Pydantic's Optional)", """
            {"type":"object","properties":{"country":{"anyOf":[{"type":"string"},{"type":"null"}],"default":null,"title":"Country"}},
             "required":["country"]}"""),
        shape("nullable with null first, by oneOf", """
            {"type":"object","properties":{"country":{"oneOf":[{"type":"null"},{"type":"string","minLength":2,"maxLength":2}]}},
             "required":["country"]}"""),
        shape("type as a list (Zod's nullable)", """
            {"type":"object","properties":{"country":{"type":["null","string"]},"count":{"type":["integer","null"],"minimum":5}},
             "required":["country","count"],"additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#"}"""),
        shape("nullable (OpenAPI style)", """
            {"type":"object","properties":{"country":{"type":"string","nullable":true}},"required":["country"]}"""),
        shape("nested objects", """
            {"type":"object","properties":{"when":{"type":"object","properties":{"day":{"type":"string","format":"date"},
             "at":{"type":"object","properties":{"hour":{"type":"integer","minimum":0,"maximum":23}},"required":["hour"],
             "additionalProperties":false}},"required":["day","at"],"additionalProperties":false}},"required":["when"]}"""),
        shape("arrays with bounds, unique items and tuples", """
            {"type":"object","properties":{
             "tags":{"type":"array","items":{"type":"string"},"minItems":3,"maxItems":5,"uniqueItems":true},
             "kinds":{"type":"array","items":{"enum":["wind","rain","sun"]},"minItems":2,"uniqueItems":true},
             "points":{"type":"array","items":{"type":"object","properties":{"x":{"type":"number"},"y":{"type":"number"}},
               "required":["x","y"]},"minItems":2,"uniqueItems":true},
             "none":{"type":"array","maxItems":0},
             "pair":{"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}],"items":false,"minItems":2},
             "has":{"type":"array","items":{"type":"integer"},"contains":{"const":7}}},
             "required":["tags","kinds","points","none","pair","has"]}"""),
        shape("string formats", """
            {"type":"object","properties":{"day":{"type":"string","format":"date"},"at":{"type":"string","format":"date-time"},
             "time":{"type":"string","format":"time"},"mail":{"type":"string","format":"email"},
             "site":{"type":"string","format":"uri"},"id":{"type":"string","format":"uuid"},
             "host":{"type":"string","format":"hostname"},"ip":{"type":"string","format":"ipv4"},
             "ip6":{"type":"string","format":"ipv6"},"span":{"type":"string","format":"duration"}},
             "required":["day","at","time","mail","site","id","host","ip","ip6","span"]}"""),
        shape("string lengths and patterns", """
            {"type":"object","properties":{"code":{"type":"string","pattern":"^[A-Z]{2}-\\\\d{3,}$"},
             "short":{"type":"string","maxLength":2},"long":{"type":"string","minLength":12},
             "colour":{"type":"string","pattern":"^(red|green)$"},"hex":{"type":"string","pattern":"^#[0-9a-f]{6}$"},
             "word":{"type":"string","pattern":"^[A-Z][a-z]+$"},"lower":{"type":"string","pattern":"^[a-z]+$","minLength":7},
             "named":{"type":"string","pattern":"^(?<area>\\\\d{3})-[^0-9]+$"},"letters":{"type":"string","pattern":"^\\\\p{Lu}+$"}},
             "required":["code","short","long","colour","hex","word","lower","named","letters"]}"""),
        shape("number bounds and multiples", """
            {"type":"object","properties":{
             "percent":{"type":"integer","minimum":10,"maximum":20},
             "open":{"type":"integer","exclusiveMinimum":5,"exclusiveMaximum":7},
             "below":{"type":"integer","maximum":-3},
             "step":{"type":"number","multipleOf":0.25,"minimum":2.1},
             "even":{"type":"integer","multipleOf":2,"minimum":3},
             "half":{"type":"integer","multipleOf":1.5},
             "narrow":{"type":"number","exclusiveMinimum":0.1,"exclusiveMaximum":0.2},
             "tiny":{"type":"number","minimum":0.001,"maximum":0.002},
             "high":{"type":"number","minimum":1e12}},
             "required":["percent","open","below","step","even","half","narrow","tiny","high"]}"""),
        shape("draft 4 exclusive bounds and definitions", """
            {"$schema":"http://json-schema.org/draft-04/schema#","type":"object",
             "definitions":{"Unit":{"type":"string","enum":["kelvin"]}},
             "properties":{"t":{"type":"number","minimum":1,"exclusiveMinimum":true,"maximum":2,"exclusiveMaximum":true},
             "unit":{"$ref":"#/definitions/Unit"},"pair":{"type":"array","items":[{"type":"string"},{"type":"boolean"}]}},
             "required":["t","unit","pair"]}"""),
        shape("$defs and $ref (Pydantic's models)", """
            {"$defs":{"Unit":{"enum":["celsius","fahrenheit"],"title":"Unit","type":"string"},
             "Place":{"properties":{"city":{"title":"City","type":"string"},"unit":{"$ref":"#/$defs/Unit"}},
              "required":["city","unit"],"title":"Place","type":"object","additionalProperties":false}},
             "properties":{"place":{"$ref":"#/$defs/Place","description":"where"},
              "others":{"type":"array","items":{"$ref":"#/$defs/Place"}},
              "maybe":{"anyOf":[{"$ref":"#/$defs/Place"},{"type":"null"}]}},
             "required":["place","others","maybe"],"title":"Args","type":"object"}"""),
        shape("allOf merged", """
            {"type":"object","allOf":[{"properties":{"a":{"type":"string"}},"required":["a"]},
             {"properties":{"b":{"type":"integer","minimum":3}},"required":["b"]},
             {"properties":{"a":{"minLength":8}}}],"additionalProperties":true}"""),
        shape("additionalProperties false, min and max properties", """
            {"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"},"c":{"type":"string"}},
             "required":["c"],"maxProperties":2,"additionalProperties":false,
             "$defs":{"unused":true}}"""),
        shape("required names without properties, and a map", """
            {"type":"object","required":["x"],"additionalProperties":{"type":"integer","minimum":4},
             "properties":{"tally":{"type":"object","additionalProperties":{"type":"boolean"},"minProperties":2}}}"""),
        shape("strict mode (OpenAI's structured outputs)", """
            {"type":"object","properties":{"location":{"type":"string","description":"City and country"},
             "units":{"type":["string","null"],"enum":["celsius","fahrenheit",null]},
             "days":{"type":"array","items":{"type":"object","properties":{"day":{"type":"string"},
              "hours":{"anyOf":[{"type":"integer"},{"type":"null"}]}},"required":["day","hours"],"additionalProperties":false}}},
             "required":["location","units","days"],"additionalProperties":false}"""),
        shape("a recursive tree through $ref", """
            {"type":"object","$defs":{"node":{"type":"object","properties":{"name":{"type":"string"},
             "children":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["name"]}},
             "properties":{"root":{"$ref":"#/$defs/node"}},"required":["root"]}"""),
        shape("no type, keywords only", """
            {"properties":{"n":{"minimum":3},"s":{"maxLength":2},"l":{"minItems":1},"o":{"required":["k"]},"any":{},
             "yes":true},"required":["n","s","l","o","any","yes"]}"""),
        shape("an optional property that allows nothing is left out", """
            {"type":"object","properties":{"never":false,"city":{"type":"string"}},"required":["city"]}"""));
  }

  private static Arguments shape(String name, String schema) {
    return Arguments.of(Named.of(name, schema));
  }

  @ParameterizedTest
  @MethodSource("schemas")
  void theArgumentsAreValidForTheSchemaAndTheSameEveryTime(String schema) {
    JsonNode arguments = SchemaInstances.arguments(FakeHttp.json(schema), WORD);

    assertThat(SchemaValidation.errors(schema, arguments)).as("%s", arguments).isEmpty();
    assertThat(SchemaInstances.arguments(FakeHttp.json(schema), WORD)).isEqualTo(arguments);
  }

  @Test
  void theValidatorRefusesWhatTheFakeOnceSent() {
    String weather = """
        {"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]},
         "day":{"type":"string","format":"date"}},"required":["city","unit"]}""";

    assertThat(SchemaValidation.errors(weather, "{\"city\":\"Weather\"}")).isNotEmpty();
    assertThat(SchemaValidation.errors(weather, "{\"city\":\"Paris\",\"unit\":\"kelvin\"}")).isNotEmpty();
    assertThat(SchemaValidation.errors(weather, "{\"city\":\"Paris\",\"unit\":\"celsius\",\"day\":\"Paris\"}")).isNotEmpty();
  }

  @Test
  void unconstrainedStringsTakeTheWordAndRequiredEnumsTheirFirstValue() {
    JsonNode arguments = SchemaInstances.arguments(FakeHttp.json("""
        {"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]},
         "country":{"anyOf":[{"type":"string"},{"type":"null"}]},"days":{"type":"integer"}},"required":["unit","country"]}"""),
        WORD);

    assertThat(arguments).isEqualTo(FakeHttp.json("{\"city\":\"Paris\",\"unit\":\"celsius\",\"country\":\"Paris\",\"days\":1}"));
  }

  @Test
  void itemsThatMustDifferDoAndNestedObjectsAreFilledIn() {
    JsonNode arguments = SchemaInstances.arguments(FakeHttp.json("""
        {"type":"object","properties":{"tags":{"type":"array","items":{"type":"string"},"minItems":3,"uniqueItems":true},
         "kinds":{"type":"array","items":{"enum":["wind","rain"]},"minItems":2,"uniqueItems":true},
         "when":{"type":"object","properties":{"day":{"type":"string","format":"date"}},"required":["day"]}},
         "required":["tags","kinds","when"]}"""), WORD);

    assertThat(arguments).isEqualTo(FakeHttp.json(
        "{\"tags\":[\"Paris\",\"Paris2\",\"Paris3\"],\"kinds\":[\"wind\",\"rain\"],\"when\":{\"day\":\"2025-01-01\"}}"));
  }

  @Test
  void aRefToAnotherDocumentOrToNothingAllowsAnythingSoTheWordIsGiven() {
    JsonNode arguments = SchemaInstances.arguments(FakeHttp.json("""
        {"type":"object","properties":{"x":{"$ref":"https://example.com/other.json"},"y":{"$ref":"#/$defs/missing"},
         "z":{"$ref":"#/$defs/a%20b"}},"required":["x","y","z"],"$defs":{"a b":{"type":"integer"}}}"""), WORD);

    assertThat(arguments).isEqualTo(FakeHttp.json("{\"x\":\"Paris\",\"y\":\"Paris\",\"z\":1}"));
  }

  @Test
  void argumentsLongerThanTheBoundAsJsonAreGivenUpForNone() {
    String name = "n".repeat(40_000);
    JsonNode request = FakeHttp.json("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\","
        + "\"function\":{\"name\":\"t\",\"parameters\":{\"type\":\"object\",\"properties\":{\"" + name + "\":{\"type\":\"string\"},"
        + "\"again\":{\"$ref\":\"#\"}},\"required\":[\"" + name + "\",\"again\"]}}}]}");

    assertThat(ToolCalls.chosen("fake-llama", request)).hasValueSatisfying(call -> assertThat(call.arguments()).isEmpty());
  }

  @Test
  void aSchemaWithoutPropertiesOrThatIsNoObjectGivesNoArguments() {
    assertThat(SchemaInstances.arguments(FakeHttp.json("{\"type\":\"object\"}"), WORD)).isEmpty();
    assertThat(SchemaInstances.arguments(FakeHttp.json("{\"type\":\"string\"}"), WORD)).isEmpty();
    assertThat(SchemaInstances.arguments(FakeHttp.json("[1,2]"), WORD)).isEmpty();
  }

  @Test
  @Timeout(30)
  void schemasOfRandomKeywordsAndValuesNeverBreakTheFakeAndGiveTheSameArgumentsTwice() {
    Random random = new Random(25);
    for (int i = 0; i < 2_000; i++) {
      JsonNode schema = randomSchema(random, 0);

      JsonNode arguments = SchemaInstances.arguments(schema, WORD);

      assertThat(SchemaInstances.arguments(schema, WORD)).as("%s", schema).isEqualTo(arguments);
    }
  }

  private static final List<String> KEYWORDS = List.of("type", "properties", "required", "items", "prefixItems",
      "additionalItems", "additionalProperties", "enum", "const", "anyOf", "oneOf", "allOf", "$ref", "minimum", "maximum",
      "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern", "format", "minItems",
      "maxItems", "uniqueItems", "contains", "minProperties", "maxProperties", "nullable", "$defs");
  private static final List<String> WORDS = List.of("object", "array", "string", "integer", "number", "boolean", "null",
      "#", "#/$defs/a", "#/properties/a", "date", "uuid", "^[a-z]{2,}$", "(a|b)+", "\\", "a", "[", "#/%zz");

  /** A schema-shaped tree of keywords with values of any kind, some sensible, most not. */
  private static JsonNode randomSchema(Random random, int depth) {
    ObjectNode schema = FakeHttp.JSON.createObjectNode();
    for (int n = random.nextInt(5); n > 0; n--) {
      String keyword = KEYWORDS.get(random.nextInt(KEYWORDS.size()));
      schema.set(keyword, randomValue(random, depth + 1));
    }
    return schema;
  }

  private static JsonNode randomValue(Random random, int depth) {
    return switch (depth > 4 ? random.nextInt(5) : random.nextInt(8)) {
      case 0 -> TextNode.valueOf(WORDS.get(random.nextInt(WORDS.size())));
      case 1 -> DoubleNode.valueOf(List.of(0.0, -1.0, 0.5, 3.0, 1e300, -1e300, 1e-300, Double.POSITIVE_INFINITY).get(random.nextInt(8)));
      case 2 -> IntNode.valueOf(random.nextInt(21) - 5);
      case 3 -> BooleanNode.valueOf(random.nextBoolean());
      case 4 -> NullNode.getInstance();
      case 5 -> {
        ArrayNode list = FakeHttp.JSON.createArrayNode();
        for (int n = random.nextInt(4); n > 0; n--) {
          list.add(random.nextBoolean() ? randomSchema(random, depth) : randomValue(random, depth + 1));
        }
        yield list;
      }
      case 6 -> {
        ObjectNode map = FakeHttp.JSON.createObjectNode();
        for (int n = random.nextInt(4); n > 0; n--) {
          map.set(List.of("a", "b", "c").get(random.nextInt(3)), randomSchema(random, depth));
        }
        yield map;
      }
      default -> randomSchema(random, depth);
    };
  }

  static Stream<Arguments> hostileSchemas() {
    StringBuilder deep = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      deep.append("{\"type\":\"object\",\"required\":[\"a\"],\"properties\":{\"a\":");
    }
    deep.append("{\"type\":\"string\"}").append("}}".repeat(300));
    String manyProperties = "{\"type\":\"object\",\"properties\":{"
        + String.join(",", Stream.iterate(0, i -> i + 1).limit(5_000).map(i -> "\"p" + i + "\":{\"$ref\":\"#\"}").toList())
        + "}}";
    return Stream.of(
        shape("a ref to itself", "{\"$ref\":\"#\"}"),
        shape("refs that loop", """
            {"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"allOf":[{"$ref":"#/$defs/a"},{"$ref":"#/$defs/a"}]}},
             "type":"object","properties":{"x":{"$ref":"#/$defs/a"}},"required":["x"]}"""),
        shape("an object that requires itself twice", """
            {"type":"object","properties":{"l":{"$ref":"#"},"r":{"$ref":"#"}},"required":["l","r"]}"""),
        shape("nesting 300 deep", deep.toString()),
        shape("5000 properties each the whole schema again", manyProperties),
        shape("a million items of a million characters", """
            {"type":"object","properties":{"xs":{"type":"array","minItems":1000000,
             "items":{"type":"string","minLength":1000000}}},"required":["xs"]}"""),
        shape("a pattern that backtracks forever", """
            {"type":"object","properties":{"s":{"type":"string","pattern":"^(a+)+$","minLength":40}},"required":["s"]}"""),
        shape("a quantifier in the millions", """
            {"type":"object","properties":{"s":{"type":"string","pattern":"^a{999999}$"}},"required":["s"]}"""),
        shape("numbers at the edge of doubles", """
            {"type":"object","properties":{"n":{"type":"number","minimum":1e308,"multipleOf":1e-300},
             "i":{"type":"integer","multipleOf":1e-300,"maximum":-1e308}},"required":["n","i"]}"""),
        shape("anyOf of only nulls and falses", """
            {"type":"object","properties":{"n":{"anyOf":[false,{"type":"null"},{"const":null}]}},"required":["n"]}"""));
  }

  @ParameterizedTest
  @MethodSource("hostileSchemas")
  @Timeout(10)
  void aSchemaBuiltToLoopOrGrowGivesSmallArgumentsSoon(String schema) {
    JsonNode arguments = SchemaInstances.arguments(FakeHttp.json(schema), WORD);

    assertThat(arguments.toString().length()).isLessThanOrEqualTo(ToolCalls.MAX_ARGUMENTS);
    assertThat(SchemaInstances.arguments(FakeHttp.json(schema), WORD)).isEqualTo(arguments);
  }
}
