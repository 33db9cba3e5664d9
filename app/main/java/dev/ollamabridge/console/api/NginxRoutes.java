package dev.ollamabridge.console.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.files.GeneratedFiles;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.nginx.ConfigDiff;
import dev.ollamabridge.console.nginx.ConfigSource;
import dev.ollamabridge.console.nginx.NginxApplier;
import dev.ollamabridge.console.nginx.NginxFailure;
import dev.ollamabridge.console.nginx.Revision;
import dev.ollamabridge.console.nginx.RevisionRepository;
import dev.ollamabridge.console.nginx.RollbackCheck;
import io.javalin.http.Context;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/** {@code /api/v1/nginx/…} and {@code /api/v1/exports/…}: rendered files, applies, revisions, rollback. */
final class NginxRoutes {

  private final ConfigSource configs;
  private final Optional<NginxApplier> applier;
  private final RevisionRepository revisions;
  private final EventLog events;

  NginxRoutes(ConfigSource configs, Optional<NginxApplier> applier, RevisionRepository revisions, EventLog events) {
    this.configs = configs;
    this.applier = applier;
    this.revisions = revisions;
    this.events = events;
  }

  void config(Context ctx) {
    ctx.contentType("text/plain; charset=utf-8").result(configs.nginx());
  }

  void export(Context ctx) {
    GeneratedFiles.Kind kind;
    try {
      kind = GeneratedFiles.Kind.byFileName(ctx.pathParam("file"));
    } catch (IllegalArgumentException e) {
      throw new InvalidInput("file", e.getMessage());
    }
    String secrets = ctx.queryParam("secrets");
    if (secrets != null && !(secrets.equals("clear") && kind == GeneratedFiles.Kind.SUPERVISOR)) {
      throw new InvalidInput("secrets", "secrets=clear is the only choice, and only for supervisor.conf");
    }
    String text;
    if (secrets != null) {
      text = configs.supervisor(GeneratedFiles.Secrets.CLEAR);
      events.record(ConsoleApi.actor(ctx), "export.secrets", kind.fileName(), "exported with the secrets in clear");
    } else {
      text = configs.render(kind);
    }
    ctx.header("Content-Disposition", "attachment; filename=\"" + kind.fileName() + "\"")
        .header("Cache-Control", "no-store")
        .contentType("text/plain; charset=utf-8")
        .result(text);
  }

  /** Applies what the console renders now; {@code changed} is false when nginx served it already (no new revision). */
  void apply(Context ctx) {
    NginxApplier nginx = applier.orElseThrow(NginxModeOff::new);
    answer(ctx, () -> nginx.request(ConsoleApi.actor(ctx)).join());
  }

  /**
   * Applies an earlier revision again. When its servers no longer match the instances it is refused
   * with 409 and the differences, unless {@code confirm=true} says they were read.
   */
  void rollback(Context ctx) {
    NginxApplier nginx = applier.orElseThrow(NginxModeOff::new);
    Revision earlier = revision(ctx);
    boolean confirmed = Boolean.TRUE.equals(QueryParams.bool(ctx, "confirm"));
    List<String> differences = RollbackCheck.differences(earlier, configs);
    if (!differences.isEmpty() && !confirmed) {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.put("error", "revision " + earlier.id() + " no longer matches the instances: it " + String.join("; ", differences)
          + ". Send confirm=true to roll back anyway; nginx serves it until the next apply").put("field", "confirm")
          .put("status", 409);
      differences.forEach(body.putArray("differences")::add);
      ctx.status(409).json(body);
      return;
    }
    answer(ctx, () -> nginx.rollback(earlier, ConsoleApi.actor(ctx)).join());
  }

  /** The newest 100; {@code automatic=false} leaves out those the console made by itself, {@code true} keeps only them. */
  void list(Context ctx) {
    Boolean automatic = QueryParams.bool(ctx, "automatic");
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    (automatic == null ? revisions.latest(100) : revisions.latest(100, automatic)).forEach(revision -> all.add(json(revision)));
    ctx.json(JsonNodeFactory.instance.objectNode().set("revisions", all));
  }

  /** One revision with its text; {@code ?diff_against=N} adds a unified diff from revision N to it. */
  void get(Context ctx) {
    Revision revision = revision(ctx);
    ObjectNode json = json(revision);
    Long against = ctx.queryParamAsClass("diff_against", Long.class).getOrNull();
    if (against != null) {
      Revision other = revisions.find(against)
          .orElseThrow(() -> new InvalidInput("diff_against", "no revision " + against));
      json.put("diff", ConfigDiff.unified("revision-" + other.id(), other.config(), "revision-" + revision.id(),
          revision.config()));
    }
    ctx.json(json);
  }

  private Revision revision(Context ctx) {
    long id = ctx.pathParamAsClass("id", Long.class).get();
    return revisions.find(id).orElseThrow(() -> new NotFound("no nginx revision has id " + id));
  }

  /** The revision nginx serves after the apply; {@code changed}: whether the apply made it (false: it served it already). */
  private void answer(Context ctx, Supplier<Revision> apply) {
    long before = revisions.lastApplied().map(Revision::id).orElse(0L);
    try {
      Revision revision = apply.get();
      ctx.json(json(revision).put("changed", revision.id() != before));
    } catch (CompletionException e) {
      if (e.getCause() instanceof NginxFailure failure) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("error", failure.getMessage()).put("status", failure.rejected() ? 422 : 502);
        body.set("revision", json(failure.revision()));
        ctx.status(failure.rejected() ? 422 : 502).json(body);
        return;
      }
      throw e;
    }
  }

  static ObjectNode json(Revision revision) {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("id", revision.id()).put("created_at", revision.createdAt().toString()).put("actor", revision.actor())
        .put("hash", revision.hash()).put("result", revision.result()).put("message", revision.message())
        .put("test_output", revision.testOutput()).put("cause", revision.cause()).put("automatic", revision.automatic())
        .put("rollback_to", revision.rollbackTo());
    if (revision.config() != null) {
      json.put("config", revision.config());
    }
    return json;
  }

  /** POST /nginx/apply while nginx.mode is off. */
  static final class NginxModeOff extends RuntimeException {
    NginxModeOff() {
      super("nginx.mode is off: the console only renders nginx.conf (GET /api/v1/nginx/config); set it to managed or system to apply", null, false, false);
    }
  }

  /** An unknown revision id. */
  static final class NotFound extends RuntimeException {
    NotFound(String message) {
      super(message, null, false, false);
    }
  }
}
