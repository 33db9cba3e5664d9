package dev.ollamabridge.console.instances;

import dev.ollamabridge.console.validation.Violation;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a user asked to change on an instance, in typed values not yet checked; a field left null
 * stays as it is. The REST API builds one from JSON and the web pages from a form, so a form's
 * {@code "3"} and JSON's {@code 3} arrive here alike; {@link InstanceRules} checks it.
 *
 * @param upstreamApiKey null: unchanged; empty: cleared
 * @param version the version the change was based on (required by an update, ignored by a create)
 * @param unreadable the values the adapter could not read as their field's kind (a form's {@code "three"} for
 *     a number): {@link InstanceRules} refuses them together with every rule the readable ones break
 */
public record InstanceChanges(
    String name,
    String host,
    String listenHost,
    Integer port,
    String upstreamUrl,
    String upstreamDialect,
    Integer weight,
    String role,
    Integer maxFails,
    Integer failTimeout,
    Boolean cacheEnabled,
    String cacheDir,
    Boolean sharedMode,
    Optional<String> upstreamApiKey,
    List<String> clientKeys,
    Integer rateLimit,
    Boolean thinkFilter,
    Boolean enabled,
    Boolean managed,
    List<String> allowedOrigins,
    List<String> models,
    List<String> modelAliases,
    Integer maxConcurrent,
    Integer queueSize,
    Integer queueTimeoutMs,
    Boolean logBodies,
    Long version,
    List<Violation> unreadable) {

  public static final InstanceChanges NONE = of(Map.of(), null);

  public InstanceChanges {
    unreadable = List.copyOf(unreadable);
  }

  public static InstanceChanges of(Map<InstanceField, ?> values, Long version) {
    return of(values, version, List.of());
  }

  /**
   * The changes from values already converted to their field's kind: an Integer for an INTEGER
   * field, a Boolean, a String, a {@code List<String>}, an {@code Optional<String>} for a secret.
   */
  @SuppressWarnings("unchecked")
  public static InstanceChanges of(Map<InstanceField, ?> values, Long version, List<Violation> unreadable) {
    Map<InstanceField, Object> v = new EnumMap<>(InstanceField.class);
    v.putAll(values);
    return new InstanceChanges(
        (String) v.get(InstanceField.NAME),
        (String) v.get(InstanceField.HOST),
        (String) v.get(InstanceField.LISTEN_HOST),
        (Integer) v.get(InstanceField.PORT),
        (String) v.get(InstanceField.UPSTREAM_URL),
        (String) v.get(InstanceField.UPSTREAM_DIALECT),
        (Integer) v.get(InstanceField.WEIGHT),
        (String) v.get(InstanceField.ROLE),
        (Integer) v.get(InstanceField.MAX_FAILS),
        (Integer) v.get(InstanceField.FAIL_TIMEOUT),
        (Boolean) v.get(InstanceField.CACHE_ENABLED),
        (String) v.get(InstanceField.CACHE_DIR),
        (Boolean) v.get(InstanceField.SHARED_MODE),
        (Optional<String>) v.get(InstanceField.UPSTREAM_API_KEY),
        (List<String>) v.get(InstanceField.CLIENT_KEYS),
        (Integer) v.get(InstanceField.RATE_LIMIT),
        (Boolean) v.get(InstanceField.THINK_FILTER),
        (Boolean) v.get(InstanceField.ENABLED),
        (Boolean) v.get(InstanceField.MANAGED),
        (List<String>) v.get(InstanceField.ALLOWED_ORIGINS),
        (List<String>) v.get(InstanceField.MODELS),
        (List<String>) v.get(InstanceField.MODEL_ALIASES),
        (Integer) v.get(InstanceField.MAX_CONCURRENT),
        (Integer) v.get(InstanceField.QUEUE_SIZE),
        (Integer) v.get(InstanceField.QUEUE_TIMEOUT),
        (Boolean) v.get(InstanceField.LOG_BODIES),
        version,
        unreadable);
  }
}
