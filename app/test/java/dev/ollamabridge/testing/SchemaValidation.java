package dev.ollamabridge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.util.List;

/**
 * Checks a JSON value against a JSON Schema with a real validator (networknt), formats asserted:
 * what an agent does with a model's tool arguments before it runs the tool. A schema without
 * {@code $schema} is read as draft 2020-12.
 */
public final class SchemaValidation {

  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
      registry -> registry.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

  private SchemaValidation() {}

  /** Why {@code value} fails {@code schema}, one message per failure; empty when it is valid. */
  public static List<String> errors(String schema, JsonNode value) {
    return errors(schema, value.toString());
  }

  /** As {@link #errors(String, JsonNode)}, for a value given as JSON text. */
  public static List<String> errors(String schema, String value) {
    List<Error> errors = REGISTRY.getSchema(schema, InputFormat.JSON).validate(value, InputFormat.JSON);
    return errors.stream().map(Error::toString).toList();
  }
}
