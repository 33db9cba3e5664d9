package dev.ollamabridge.console.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.Settings;
import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.digest.Sha256;
import dev.ollamabridge.files.OwnerOnly;
import dev.ollamabridge.link.KeyRule;
import dev.ollamabridge.link.KeyRules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The cluster's client keys: made (the secret shown once), changed, revoked, listed; and published
 * to every bridge as one {@link KeyRules} document, written to {@code <data>/keys/client-keys.json}
 * (which the console's own bridges watch) and handed to the listeners (every other host's desired
 * state) whenever it changes.
 */
public final class KeyService {

  /** The file the console's bridges read ({@code --client-keys-file}). */
  public static final String FILE = "client-keys.json";
  /** The id and name the console's own key has in the published document. */
  public static final String INTERNAL_ID = "console";

  private final KeyRepository repository;
  private final Settings settings;
  private final EventLog events;
  private final Path file;
  private final ConsoleKey consoleKey;
  private final ObjectMapper json;
  private final Clock clock;
  private final List<Consumer<KeyRules>> listeners = new CopyOnWriteArrayList<>();
  private KeyRules published;

  /** A new key and its secret, which is in no other place: show it once. */
  public record Created(ClientKey key, String secret) {
    @Override
    public String toString() {
      return "Created[" + key + "]";
    }
  }

  /**
   * Reads (or makes) the console's own key in {@code <data>/keys}, owner-only; {@link #publish} writes
   * the document there.
   */
  public KeyService(Database database, Settings settings, EventLog events, Path dataDir, ObjectMapper json, Clock clock) {
    this.repository = new KeyRepository(database, json);
    this.settings = settings;
    this.events = events;
    this.json = json;
    this.clock = clock;
    try {
      Path dir = OwnerOnly.directory(dataDir.resolve("keys"));
      this.file = dir.resolve(FILE);
      this.consoleKey = ConsoleKey.in(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the client keys in " + dataDir.resolve("keys") + ": " + e.getMessage(), e);
    }
  }

  /** Where the console's bridges read the keys. */
  public Path file() {
    return file;
  }

  /** The console's own key, for its requests to the bridges. */
  public ConsoleKey consoleKey() {
    return consoleKey;
  }

  /** Told of every new document, after the file was written. */
  public void addListener(Consumer<KeyRules> listener) {
    listeners.add(listener);
  }

  /** The keys in use, by name; with the revoked ones (after them) when asked for. */
  public List<ClientKey> list(boolean withRevoked) {
    return repository.all(withRevoked);
  }

  /** A key, revoked or not; {@link KeyNotFound} when there is none with this id. */
  public ClientKey get(long id) {
    return repository.find(id).orElseThrow(() -> new KeyNotFound("no key has id " + id));
  }

  /**
   * Makes a key (enabled unless the changes say otherwise) and publishes it; its secret is answered
   * here and never again. {@link InvalidInput} naming each broken field, {@link KeyConflict} for a
   * name in use.
   */
  public Created create(KeyChanges changes, String actor) {
    Instant now = clock.instant();
    String secret = Secrets.newSecret();
    ClientKey blank = new ClientKey(0, null, null, Sha256.hex(secret), secret.substring(0, Secrets.SHOWN), List.of(),
        0, 0, null, true, now, null);
    ClientKey checked = KeyInput.apply(blank, changes, now, true);
    long id = repository.insert(checked);
    ClientKey key = get(id);
    events.record(actor, "key.created", key.name(), "key " + id + " " + key.shownPrefix() + describe(key));
    publish();
    return new Created(key, secret);
  }

  /** Changes a key in use and publishes it; {@link KeyNotFound} for a revoked one. */
  public ClientKey update(long id, KeyChanges changes, String actor) {
    ClientKey before = live(id);
    ClientKey after = KeyInput.apply(before, changes, clock.instant(), false);
    if (after.equals(before)) {
      return before;
    }
    repository.update(after);
    events.record(actor, "key.changed", after.name(), "key " + id + ":" + changed(before, after));
    publish();
    return get(id);
  }

  /** Revokes a key: it is left out of the document at once; its row stays, with its name. */
  public ClientKey revoke(long id, String actor) {
    ClientKey key = live(id);
    if (!repository.revoke(id, clock.instant())) {
      throw new KeyNotFound("key " + id + " was revoked already");
    }
    events.record(actor, "key.revoked", key.name(), "key " + id + " " + key.shownPrefix());
    publish();
    return get(id);
  }

  /** Whether a request needs a key now: {@code keys.required} on, or auto and a key in use. */
  public boolean required() {
    return switch (settings.get(Setting.KEYS_REQUIRED)) {
      case "on" -> true;
      case Setting.OFF -> false;
      default -> repository.anyLive();
    };
  }

  /** The document every bridge enforces: the keys in use and the console's own. */
  public KeyRules rules() {
    List<KeyRule> rules = new ArrayList<>();
    rules.add(new KeyRule(INTERNAL_ID, INTERNAL_ID, consoleKey.sha256(), List.of(), 0, 0, null, true, true));
    for (ClientKey key : repository.all(false)) {
      rules.add(new KeyRule(Long.toString(key.id()), key.name(), key.sha256(), key.models(), key.requestsPerMinute(),
          key.tokensPerDay(), key.expiresAt() == null ? null : key.expiresAt().toEpochMilli(), key.enabled(), false));
    }
    return new KeyRules(required(), rules);
  }

  /**
   * Writes the document (atomically, owner-only) and tells the listeners, when it differs from the one
   * last published: at start, before any bridge starts, and after every change of the keys or of
   * {@code keys.required}.
   */
  public synchronized KeyRules publish() {
    KeyRules now = rules();
    if (now.equals(published)) {
      return now;
    }
    try {
      OwnerOnly.writeString(file, json.writeValueAsString(now));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the client keys to " + file + ": " + e.getMessage(), e);
    }
    published = now;
    listeners.forEach(listener -> listener.accept(now));
    return now;
  }

  /** The document last published, or null before the first. */
  public synchronized KeyRules published() {
    return published;
  }

  /** An expiry as the API and the form take it: an ISO-8601 instant, or a date (its start, UTC). */
  public static Instant expiry(String text) {
    try {
      return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new InvalidInput("expires_at", "expires_at must be an ISO-8601 time such as 2027-01-31T00:00:00Z, or a"
          + " date such as 2027-01-31");
    }
  }

  /** What a key is now, in one word: active, disabled, expired or revoked. */
  public static String state(ClientKey key, Instant now) {
    return key.revoked() ? "revoked" : !key.enabled() ? "disabled" : key.expired(now) ? "expired" : "active";
  }

  private ClientKey live(long id) {
    ClientKey key = get(id);
    if (key.revoked()) {
      throw new KeyNotFound("key " + id + " was revoked: a revoked key cannot be changed");
    }
    return key;
  }

  private static String describe(ClientKey key) {
    return (key.owner() == null ? "" : ", owner " + key.owner())
        + (key.models().isEmpty() ? ", every model" : ", models " + String.join(" ", key.models()))
        + (key.requestsPerMinute() == 0 ? "" : ", " + key.requestsPerMinute() + " requests/min")
        + (key.tokensPerDay() == 0 ? "" : ", " + key.tokensPerDay() + " tokens/day")
        + (key.expiresAt() == null ? "" : ", expires " + key.expiresAt())
        + (key.enabled() ? "" : ", disabled");
  }

  private static String changed(ClientKey before, ClientKey after) {
    StringBuilder text = new StringBuilder();
    if (!before.name().equals(after.name())) {
      text.append(" name ").append(before.name()).append(" → ").append(after.name());
    }
    if (!Objects.equals(before.owner(), after.owner())) {
      text.append(" owner → ").append(after.owner() == null ? "none" : after.owner());
    }
    if (!before.models().equals(after.models())) {
      text.append(" models → ").append(after.models().isEmpty() ? "every model" : String.join(" ", after.models()));
    }
    if (before.requestsPerMinute() != after.requestsPerMinute()) {
      text.append(" requests_per_minute → ").append(after.requestsPerMinute());
    }
    if (before.tokensPerDay() != after.tokensPerDay()) {
      text.append(" tokens_per_day → ").append(after.tokensPerDay());
    }
    if (!Objects.equals(before.expiresAt(), after.expiresAt())) {
      text.append(" expires_at → ").append(after.expiresAt() == null ? "never" : after.expiresAt());
    }
    if (before.enabled() != after.enabled()) {
      text.append(after.enabled() ? " enabled" : " disabled");
    }
    return text.toString();
  }
}
