package dev.ollamabridge.console.keys;

import dev.ollamabridge.console.instances.InstanceRules;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.validation.Violation;
import dev.ollamabridge.logs.LogText;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of a key's fields, checked all at once: a refusal names every field it is about and its
 * rule, so that the API client and the form see them together.
 */
final class KeyInput {

  static final int MAX_NAME = 64;
  static final int MAX_OWNER = 128;
  static final int MAX_MODELS = 100;
  static final long MAX_REQUESTS_PER_MINUTE = 1_000_000;
  static final long MAX_TOKENS_PER_DAY = 1_000_000_000_000L;
  /** Further ahead than this is a typo, not a plan: "never" is no expiry. */
  static final Duration MAX_LIFETIME = Duration.ofDays(36_500);
  /** Letters, digits, punctuation, symbols and spaces: no control or format characters, which could forge log lines. */
  private static final Pattern PRINTABLE = Pattern.compile("[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S} ]+");

  static final String NAME_RULE = "name must be 1 to " + MAX_NAME + " printable characters (letters, digits, punctuation,"
      + " spaces), not only spaces";
  static final String OWNER_RULE = "owner must be at most " + MAX_OWNER + " printable characters";
  static final String MODELS_RULE = "models must be at most " + MAX_MODELS + " model names (" + "each "
      + "of letters, digits and . _ : / @ + -, starting with a letter or digit) or prefixes ending in '*' such as llama*";

  private KeyInput() {}

  /** The key the changes make of {@code key} (a new key's defaults when creating), or {@link InvalidInput}. */
  static ClientKey apply(ClientKey key, KeyChanges changes, Instant now, boolean creating) {
    List<Violation> violations = new ArrayList<>();
    String name = key.name();
    if (changes.name() != null || creating) {
      name = changes.name() == null ? null : changes.name().strip();
      if (name == null || name.isEmpty() || name.length() > MAX_NAME || !PRINTABLE.matcher(name).matches()) {
        violations.add(new Violation("name", NAME_RULE));
      }
    }
    String owner = key.owner();
    if (changes.owner() != null) {
      owner = changes.owner().strip();
      if (owner.length() > MAX_OWNER || !owner.isEmpty() && !PRINTABLE.matcher(owner).matches()) {
        violations.add(new Violation("owner", OWNER_RULE));
      }
      owner = owner.isEmpty() ? null : owner;
    }
    List<String> models = key.models();
    if (changes.models() != null) {
      models = List.copyOf(new LinkedHashSet<>(changes.models().stream().map(m -> m == null ? "" : m.strip())
          .filter(m -> !m.isEmpty()).toList()));
      String wrong = models.stream().filter(m -> !modelOrPrefix(m)).findFirst().orElse(null);
      if (models.size() > MAX_MODELS || wrong != null) {
        violations.add(new Violation("models", MODELS_RULE + (wrong == null ? "" : "; '"
            + LogText.oneLine(wrong, 80) + "' is neither")));
      }
    }
    int perMinute = key.requestsPerMinute();
    if (changes.requestsPerMinute() != null) {
      long value = changes.requestsPerMinute();
      if (value < 0 || value > MAX_REQUESTS_PER_MINUTE) {
        violations.add(new Violation("requests_per_minute", "requests_per_minute must be 0 (no limit) to "
            + MAX_REQUESTS_PER_MINUTE));
      } else {
        perMinute = (int) value;
      }
    }
    long perDay = key.tokensPerDay();
    if (changes.tokensPerDay() != null) {
      long value = changes.tokensPerDay();
      if (value < 0 || value > MAX_TOKENS_PER_DAY) {
        violations.add(new Violation("tokens_per_day", "tokens_per_day must be 0 (no limit) to " + MAX_TOKENS_PER_DAY));
      } else {
        perDay = value;
      }
    }
    Instant expiresAt = changes.neverExpires() ? null : key.expiresAt();
    if (changes.expiresAt() != null) {
      if (!changes.expiresAt().isAfter(now) || changes.expiresAt().isAfter(now.plus(MAX_LIFETIME))) {
        violations.add(new Violation("expires_at", "expires_at must be in the future, within 100 years"
            + " (or null for never)"));
      }
      expiresAt = changes.expiresAt();
    }
    boolean enabled = changes.enabled() == null ? key.enabled() : changes.enabled();
    if (!violations.isEmpty()) {
      throw new InvalidInput(violations);
    }
    return new ClientKey(key.id(), name, owner, key.sha256(), key.prefix(), models, perMinute, perDay, expiresAt,
        enabled, key.createdAt(), key.revokedAt());
  }

  private static boolean modelOrPrefix(String model) {
    if (model.equals("*")) {
      return true;
    }
    String name = model.endsWith("*") ? model.substring(0, model.length() - 1) : model;
    return InstanceRules.MODEL.matcher(name).matches();
  }
}
