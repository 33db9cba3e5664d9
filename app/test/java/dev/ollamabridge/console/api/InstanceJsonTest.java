package dev.ollamabridge.console.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.console.instances.InstanceChanges;
import dev.ollamabridge.console.instances.InstanceField;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.validation.Violation;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstanceJsonTest {

  private final ObjectMapper json = new ObjectMapper();

  @Test
  void jsonNumbersBecomeTheSameChangesAsAFormsText() throws Exception {
    InstanceChanges read = InstanceJson.changes((ObjectNode) json.readTree(
        "{\"weight\":3,\"role\":\"backup\",\"enabled\":true,\"version\":4,\"id\":9,\"draining\":false}"));

    assertThat(read).isEqualTo(InstanceChanges.of(Map.of(InstanceField.WEIGHT, 3, InstanceField.ROLE, "backup",
        InstanceField.ENABLED, true), 4L));
  }

  @Test
  void jsonTextWhereANumberBelongsIsRefusedWithTheFieldsRule() throws Exception {
    InstanceChanges read = InstanceJson.changes((ObjectNode) json.readTree("{\"weight\":\"3\",\"colour\":1}"));

    assertThat(read.weight()).isNull();
    assertThat(read.unreadable()).containsExactly(
        new Violation("weight", "weight must be an integer from 1 to 100"),
        new Violation("colour", "'colour' is not a field of an instance"));
  }
}
