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
import io.javalin.http.Context;
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

  void apply(Context ctx) {
    NginxApplier nginx = applier.orElseThrow(NginxModeOff::new);
    answer(ctx, () -> nginx.request(ConsoleApi.actor(ctx)).join());
  }

  void rollback(Context ctx) {
    NginxApplier nginx = applier.orElseThrow(NginxModeOff::new);
    Revision earlier = revision(ctx);
    answer(ctx, () -> nginx.rollback(earlier, ConsoleApi.actor(ctx)).join());
  }

  void list(Context ctx) {
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    revisions.latest(100).forEach(revision -> all.add(json(revision)));
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

  private static void answer(Context ctx, Supplier<Revision> apply) {
    try {
      ctx.json(json(apply.get()));
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
        .put("test_output", revision.testOutput());
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
