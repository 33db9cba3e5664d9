package dev.ollamabridge.console.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.keys.ClientKey;
import dev.ollamabridge.console.keys.KeyChanges;
import dev.ollamabridge.console.keys.KeyService;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Thin handlers of {@code /api/v1/keys}: the cluster's client keys. A new key's secret is in the
 * answer to its POST and nowhere else, ever.
 */
final class KeyRoutes {

  private static final Set<String> FIELDS = Set.of("name", "owner", "models", "requests_per_minute", "tokens_per_day",
      "expires_at", "enabled");
  /** Far more models than the rules take (100) are refused before they are read. */
  private static final int MODELS_READ = 1000;

  private final KeyService keys;
  private final JsonBodies bodies;

  KeyRoutes(KeyService keys, JsonBodies bodies) {
    this.keys = keys;
    this.bodies = bodies;
  }

  /** The keys in use; {@code ?revoked=true} adds the revoked ones, after them. */
  void list(Context ctx) {
    String revoked = ctx.queryParam("revoked");
    if (revoked != null && !revoked.equals("true") && !revoked.equals("false")) {
      throw new InvalidInput("revoked", "revoked must be true or false");
    }
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    Instant now = Instant.now();
    keys.list("true".equals(revoked)).forEach(key -> all.add(json(key, now)));
    ctx.json(all);
  }

  void get(Context ctx) {
    ctx.json(json(keys.get(id(ctx)), Instant.now()));
  }

  void create(Context ctx) {
    KeyService.Created created = keys.create(changes(bodies.object(ctx, false)), ConsoleApi.actor(ctx));
    ObjectNode answer = json(created.key(), Instant.now());
    answer.put("secret", created.secret());
    answer.put("warning", "the secret is shown this once: the console keeps only its hash");
    ctx.status(201).header("Location", "/api/v1/keys/" + created.key().id()).header("Cache-Control", "no-store")
        .json(answer);
  }

  void update(Context ctx) {
    ctx.json(json(keys.update(id(ctx), changes(bodies.object(ctx, false)), ConsoleApi.actor(ctx)), Instant.now()));
  }

  /** Revokes: the bridges refuse the key within seconds; the row stays, with its name, for usage. */
  void revoke(Context ctx) {
    keys.revoke(id(ctx), ConsoleApi.actor(ctx));
    ctx.status(204);
  }

  private static long id(Context ctx) {
    return ctx.pathParamAsClass("id", Long.class).check(id -> id > 0, "id must be a positive number").get();
  }

  /** The body as changes; each field of the wrong type is refused by name. */
  static KeyChanges changes(ObjectNode body) {
    body.fieldNames().forEachRemaining(field -> {
      if (!FIELDS.contains(field)) {
        throw new InvalidInput(field, field + " is not a field of a key: " + String.join(", ", FIELDS.stream().sorted().toList()));
      }
    });
    String name = text(body, "name", false);
    String owner = text(body, "owner", true);
    List<String> models = null;
    JsonNode list = body.get("models");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) {
        throw new InvalidInput("models", "models must be a list of model names or prefixes such as [\"llama3\", \"qwen*\"]");
      }
      if (list.size() > MODELS_READ) {
        throw new InvalidInput("models", "models has " + list.size() + " entries; a key takes at most 100");
      }
      models = new ArrayList<>();
      for (JsonNode model : list) {
        if (!model.isTextual()) {
          throw new InvalidInput("models", "models must hold strings only");
        }
        models.add(model.asText());
      }
    }
    Long perMinute = number(body, "requests_per_minute");
    Long perDay = number(body, "tokens_per_day");
    JsonNode expiry = body.get("expires_at");
    boolean never = expiry != null && expiry.isNull();
    Instant expiresAt = null;
    if (expiry != null && !expiry.isNull()) {
      if (!expiry.isTextual()) {
        throw new InvalidInput("expires_at", "expires_at must be an ISO-8601 time as a string, or null for never");
      }
      expiresAt = KeyService.expiry(expiry.asText());
    }
    JsonNode enabled = body.get("enabled");
    if (enabled != null && !enabled.isBoolean()) {
      throw new InvalidInput("enabled", "enabled must be true or false");
    }
    return new KeyChanges(name, owner == null && body.has("owner") ? "" : owner, models, perMinute, perDay, expiresAt,
        never, enabled == null ? null : enabled.asBoolean());
  }

  private static String text(ObjectNode body, String field, boolean nullable) {
    JsonNode value = body.get(field);
    if (value == null || nullable && value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new InvalidInput(field, field + " must be a string");
    }
    return value.asText();
  }

  private static Long number(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw new InvalidInput(field, field + " must be a whole number, 0 for no limit");
    }
    return value.asLong();
  }

  static ObjectNode json(ClientKey key, Instant now) {
    ObjectNode json = JsonNodeFactory.instance.objectNode()
        .put("id", key.id()).put("name", key.name()).put("owner", key.owner()).put("prefix", key.shownPrefix());
    ArrayNode models = json.putArray("models");
    key.models().forEach(models::add);
    return json.put("requests_per_minute", key.requestsPerMinute()).put("tokens_per_day", key.tokensPerDay())
        .put("expires_at", key.expiresAt() == null ? null : key.expiresAt().toString()).put("enabled", key.enabled())
        .put("state", KeyService.state(key, now))
        .put("created_at", key.createdAt().toString())
        .put("revoked_at", key.revokedAt() == null ? null : key.revokedAt().toString());
  }
}
