package dev.ollamabridge.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.console.instances.InstanceChanges;
import dev.ollamabridge.console.instances.InstanceField;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.validation.Violation;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InstanceFormTest {

  @Test
  void aFormsTextBecomesTheSameChangesAsTheApisJson() {
    InstanceChanges read = InstanceForm.read(Map.of("weight", List.of("3"), "role", List.of("backup"),
        "enabled", List.of("false", "true"), "version", List.of("4")), false);

    assertThat(read).isEqualTo(InstanceChanges.of(Map.of(InstanceField.WEIGHT, 3, InstanceField.ROLE, "backup",
        InstanceField.ENABLED, true), 4L));
  }

  @Test
  void aValueOfTheWrongKindIsRefusedWithTheRuleTheApiStates() {
    InstanceChanges read = InstanceForm.read(Map.of("weight", List.of("three"), "port", List.of("80.5"),
        "managed", List.of("yes")), true);

    assertThat(read.unreadable()).containsExactlyInAnyOrder(
        new Violation("weight", "weight must be an integer from 1 to 100"),
        new Violation("port", "port must be an integer from 1 to 65535"),
        new Violation("managed", "managed must be true or false"));
  }

  @Test
  void blankFieldsTakeTheDefaultsWhenCreatingAndAreCheckedWhenEditing() {
    Map<String, List<String>> form = Map.of("name", List.of(""), "port", List.of(" "));

    assertThat(InstanceForm.read(form, true)).isEqualTo(InstanceChanges.NONE);
    InstanceChanges edited = InstanceForm.read(form, false);
    assertThat(edited.name()).isEmpty();
    assertThat(edited.unreadable()).containsExactly(new Violation("port", "port must be an integer from 1 to 65535"));
  }

  @Test
  void aBlankSecretIsKeptAndItsBoxClearsIt() {
    assertThat(InstanceForm.read(Map.of("upstream_api_key", List.of("")), false).upstreamApiKey()).isNull();
    assertThat(InstanceForm.read(Map.of("upstream_api_key", List.of("sk-new-0123456789")), false).upstreamApiKey())
        .contains("sk-new-0123456789");
    assertThat(InstanceForm.read(Map.of("upstream_api_key", List.of(""), "upstream_api_key_clear", List.of("true")), false).upstreamApiKey()).isEqualTo(Optional.empty());
    assertThat(InstanceForm.read(Map.of("client_keys", List.of("")), false).clientKeys()).isNull();
    assertThat(InstanceForm.read(Map.of("client_keys_clear", List.of("true")), false).clientKeys()).isEmpty();
  }

  @Test
  void listsAreOneValuePerLine() {
    InstanceChanges read = InstanceForm.read(Map.of("allowed_origins", List.of("https://a.example\r\n\n https://b.example ")),
        false);

    assertThat(read.allowedOrigins()).containsExactly("https://a.example", "https://b.example");
  }
}
