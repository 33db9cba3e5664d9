package dev.ollamabridge.console.backup;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * What the sealed part holds, as JSON.
 *
 * @param instances each instance's secrets, and whether it was enabled (a backup's database has such
 *     instances disabled: without their keys a bridge would be open or broken)
 * @param files secret files by their path in the data directory, base64
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record SecretsPayload(List<InstanceSecrets> instances, Map<String, String> files) {

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record InstanceSecrets(long id, String name, String upstreamApiKey, String clientKeys, boolean enabled) {}
}
