package dev.ollamabridge.bridge.keys;

import dev.ollamabridge.digest.Sha256;
import dev.ollamabridge.link.KeyRule;
import dev.ollamabridge.link.KeyRules;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The cluster's client keys as a bridge looks them up: by the SHA-256 of the secret a request
 * presents, in one hash lookup whatever the number of keys. The lookup's timing can tell nothing
 * useful: what is compared is the digest of the presented secret, which its sender cannot steer.
 *
 * <p>Built only from rules that pass {@link #of}: the file is written by the console, but read as
 * hostile input all the same (every field bounded, every hash 64 lowercase hex characters, no id
 * or hash given twice).
 */
public final class KeyTable {

  /** A key id goes into Redis keys and metric labels: short, and of plain characters. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  static final int MAX_NAME_CHARS = 200;
  static final int MAX_MODELS = 1000;
  static final int MAX_MODEL_CHARS = 200;

  private final boolean required;
  private final Map<String, KeyRule> byHash;

  private KeyTable(boolean required, Map<String, KeyRule> byHash) {
    this.required = required;
    this.byHash = byHash;
  }

  /**
   * The table of {@code rules}, checked whole.
   *
   * @throws IllegalArgumentException naming the first key and field that breaks a rule
   */
  public static KeyTable of(KeyRules rules) {
    if (rules == null) {
      throw new IllegalArgumentException("the document is empty; write {\"required\": …, \"keys\": […]}");
    }
    if (rules.keys().size() > KeyRules.MAX_KEYS) {
      throw new IllegalArgumentException("keys holds " + rules.keys().size() + " keys, more than " + KeyRules.MAX_KEYS);
    }
    Map<String, KeyRule> byHash = new HashMap<>(rules.keys().size() * 2);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < rules.keys().size(); i++) {
      KeyRule key = rules.keys().get(i);
      check(i, key);
      if (!ids.add(key.id())) {
        throw new IllegalArgumentException("keys[" + i + "].id '" + key.id() + "' is given twice");
      }
      if (byHash.putIfAbsent(key.sha256(), key) != null) {
        throw new IllegalArgumentException("keys[" + i + "].sha256 is the hash of an earlier key too");
      }
    }
    return new KeyTable(rules.required(), Map.copyOf(byHash));
  }

  private static void check(int index, KeyRule key) {
    String at = "keys[" + index + "]";
    if (key == null) {
      throw new IllegalArgumentException(at + " is null");
    }
    if (key.id() == null || !ID.matcher(key.id()).matches()) {
      throw new IllegalArgumentException(at + ".id must be 1 to 64 of A-Z a-z 0-9 . _ : -");
    }
    if (key.name() == null || key.name().isEmpty() || key.name().length() > MAX_NAME_CHARS || !printable(key.name())) {
      throw new IllegalArgumentException(at + ".name must be 1 to " + MAX_NAME_CHARS + " printable characters");
    }
    if (key.sha256() == null || !SHA256.matcher(key.sha256()).matches()) {
      throw new IllegalArgumentException(at + ".sha256 must be 64 lowercase hex characters");
    }
    if (key.models().size() > MAX_MODELS) {
      throw new IllegalArgumentException(at + ".models holds more than " + MAX_MODELS + " names");
    }
    for (String model : key.models()) {
      if (model == null || model.isEmpty() || model.length() > MAX_MODEL_CHARS || !printable(model)) {
        throw new IllegalArgumentException(at + ".models: each name is 1 to " + MAX_MODEL_CHARS + " printable characters");
      }
    }
    if (key.requestsPerMinute() < 0) {
      throw new IllegalArgumentException(at + ".requestsPerMinute must be 0 (no limit) or more");
    }
    if (key.tokensPerDay() < 0) {
      throw new IllegalArgumentException(at + ".tokensPerDay must be 0 (no limit) or more");
    }
  }

  private static boolean printable(String text) {
    return text.codePoints().noneMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029');
  }

  /** Whether a request without a valid key is refused. */
  public boolean required() {
    return required;
  }

  public int size() {
    return byHash.size();
  }

  /** The key whose secret is {@code token}; null for none. */
  public KeyRule find(String token) {
    return token == null || token.isEmpty() ? null : byHash.get(Sha256.hex(token));
  }

  /**
   * Whether {@code key} may use {@code model}, as the client named it: an exact name, a
   * {@code prefix*}, or any model when the key lists none. Ollama's {@code name} and
   * {@code name:latest} are one model.
   */
  public static boolean allows(KeyRule key, String model) {
    List<String> models = key.models();
    if (models.isEmpty()) {
      return true;
    }
    String bare = model.endsWith(":latest") ? model.substring(0, model.length() - ":latest".length()) : model;
    for (String allowed : models) {
      if (allowed.endsWith("*") ? model.startsWith(allowed.substring(0, allowed.length() - 1))
          : allowed.equals(model) || allowed.equals(bare) || allowed.equals(bare + ":latest")) {
        return true;
      }
    }
    return false;
  }
}
