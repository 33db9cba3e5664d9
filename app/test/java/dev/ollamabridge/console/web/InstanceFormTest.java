package dev.ollamabridge.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.console.instances.InstanceChanges;
import dev.ollamabridge.console.instances.InstanceField;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InstanceFormTest {

  private final Map<String, String> refusals = new HashMap<>();

  @Test
  void aFormsTextBecomesTheSameChangesAsTheApisJson() {
    InstanceChanges read = InstanceForm.read(Map.of("weight", List.of("3"), "role", List.of("backup"),
        "enabled", List.of("false", "true"), "version", List.of("4")), false, refusals);

    assertThat(refusals).isEmpty();
    assertThat(read).isEqualTo(InstanceChanges.of(Map.of(InstanceField.WEIGHT, 3, InstanceField.ROLE, "backup",
        InstanceField.ENABLED, true), 4L));
  }

  @Test
  void aValueOfTheWrongKindIsRefusedWithTheRuleTheApiStates() {
    InstanceForm.read(Map.of("weight", List.of("three"), "port", List.of("80.5"), "managed", List.of("yes")), true, refusals);

    assertThat(refusals).containsEntry("weight", "weight must be an integer from 1 to 100")
        .containsEntry("port", "port must be an integer from 1 to 65535")
        .containsEntry("managed", "managed must be true or false");
  }

  @Test
  void blankFieldsTakeTheDefaultsWhenCreatingAndAreCheckedWhenEditing() {
    Map<String, List<String>> form = Map.of("name", List.of(""), "port", List.of(" "));

    assertThat(InstanceForm.read(form, true, refusals)).isEqualTo(InstanceChanges.NONE);
    InstanceChanges edited = InstanceForm.read(form, false, refusals);
    assertThat(edited.name()).isEmpty();
    assertThat(refusals).containsEntry("port", "port must be an integer from 1 to 65535");
  }

  @Test
  void aBlankSecretIsKeptAndItsBoxClearsIt() {
    assertThat(InstanceForm.read(Map.of("upstream_api_key", List.of("")), false, refusals).upstreamApiKey()).isNull();
    assertThat(InstanceForm.read(Map.of("upstream_api_key", List.of("sk-new-0123456789")), false, refusals).upstreamApiKey())
        .contains("sk-new-0123456789");
    assertThat(InstanceForm.read(Map.of("upstream_api_key", List.of(""), "upstream_api_key_clear", List.of("true")), false,
        refusals).upstreamApiKey()).isEqualTo(Optional.empty());
    assertThat(InstanceForm.read(Map.of("client_keys", List.of("")), false, refusals).clientKeys()).isNull();
    assertThat(InstanceForm.read(Map.of("client_keys_clear", List.of("true")), false, refusals).clientKeys()).isEmpty();
  }

  @Test
  void listsAreOneValuePerLine() {
    InstanceChanges read = InstanceForm.read(Map.of("allowed_origins", List.of("https://a.example\r\n\n https://b.example ")),
        false, refusals);

    assertThat(read.allowedOrigins()).containsExactly("https://a.example", "https://b.example");
  }
}
