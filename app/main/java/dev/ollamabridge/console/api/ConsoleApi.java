package dev.ollamabridge.console.api;

import static io.javalin.apibuilder.ApiBuilder.delete;
import static io.javalin.apibuilder.ApiBuilder.get;
import static io.javalin.apibuilder.ApiBuilder.patch;
import static io.javalin.apibuilder.ApiBuilder.path;
import static io.javalin.apibuilder.ApiBuilder.post;

import dev.ollamabridge.console.ConsoleServices;
import dev.ollamabridge.console.alerts.AlertNotFound;
import dev.ollamabridge.console.auth.ApiTokens;
import dev.ollamabridge.console.backup.BackupRefused;
import dev.ollamabridge.console.events.EventQuery;
import dev.ollamabridge.console.files.RenderException;
import dev.ollamabridge.console.hosts.HostConflict;
import dev.ollamabridge.console.hosts.HostNotFound;
import dev.ollamabridge.console.hosts.HostUnavailable;
import dev.ollamabridge.console.instances.InstanceConflict;
import dev.ollamabridge.console.instances.InstanceNotFound;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.keys.KeyConflict;
import dev.ollamabridge.console.keys.KeyNotFound;
import dev.ollamabridge.console.nginx.NginxFailure;
import dev.ollamabridge.console.nginx.NginxRefusal;
import dev.ollamabridge.console.settings.InvalidSetting;
import dev.ollamabridge.console.settings.SettingsNotKept;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.validation.ValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The console's REST admin API under {@code /api/v1}: JSON in and out, Bearer tokens required. */
public final class ConsoleApi {

  private static final Logger log = LoggerFactory.getLogger(ConsoleApi.class);
  static final String ACTOR = "console.actor";
  public static final int MAX_BODY_BYTES = 1024 * 1024;

  private ConsoleApi() {}

  /** What answers an error on a path outside the API: the web pages' error page. */
  @FunctionalInterface
  public interface PageErrors {
    void answer(Context ctx, int status, String message);
  }

  /**
   * The API's routes, its Bearer check, and the one mapping of errors to answers: the API's
   * {@code {error, field, status}} under {@code /api/}, {@code pageErrors} elsewhere.
   */
  public static void register(JavalinConfig config, ConsoleServices services, PageErrors pageErrors) {
    JsonBodies bodies = new JsonBodies(services.json());
    InstanceRoutes instanceRoutes = new InstanceRoutes(services.instances(), bodies, services.bridgeJava(), services.scraper());
    SettingsRoutes settingsRoutes = new SettingsRoutes(services.settings(), services.cache(), bodies);
    EventRoutes eventRoutes = new EventRoutes(services.events());
    ModelRoutes modelRoutes = new ModelRoutes(services.models());
    HostRoutes hostRoutes = new HostRoutes(services.hosts(), services.instances(), bodies);
    NginxRoutes nginxRoutes = new NginxRoutes(services.configs(), services.applier(), services.revisions(), services.events());
    EdgeRoutes edgeRoutes = new EdgeRoutes(services.edges());
    DiscoveryRoutes discoveryRoutes = new DiscoveryRoutes(services.instances());
    UsageRoutes usageRoutes = new UsageRoutes(services.usage());
    AlertRoutes alertRoutes = new AlertRoutes(services.alerts(), bodies);
    BackupRoutes backupRoutes = new BackupRoutes(services.backups());
    KeyRoutes keyRoutes = new KeyRoutes(services.keys(), bodies);
    LogRoutes logRoutes = new LogRoutes(services.requestLogs());
    ApiTokens tokens = services.tokens();
    Errors errors = new Errors(pageErrors);
    {
      config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorPages(services.json())));

      config.routes.before("/api/v1/*", ctx -> authenticate(ctx, tokens));
      config.routes.apiBuilder(() -> path("/api/v1", () -> {
        get("openapi.json", OpenApi::serve);
        path("instances", () -> {
          get(instanceRoutes::list);
          post(instanceRoutes::create);
          path("{id}", () -> {
            get(instanceRoutes::get);
            patch(instanceRoutes::update);
            delete(instanceRoutes::delete);
            post("start", instanceRoutes::start);
            post("stop", instanceRoutes::stop);
            post("restart", instanceRoutes::restart);
            get("health", instanceRoutes::health);
            get("logs", instanceRoutes::logs);
          });
        });
        path("hosts", () -> {
          get(hostRoutes::list);
          post(hostRoutes::add);
          get("joins", hostRoutes::pendingJoins);
          delete("joins/{id}", hostRoutes::revokeToken);
          path("{name}", () -> {
            get(hostRoutes::get);
            patch(hostRoutes::update);
            delete(hostRoutes::revoke);
            get("supervisor.conf", hostRoutes::supervisorConf);
          });
        });
        get("status", instanceRoutes::status);
        get("models", modelRoutes::list);
        get("events", eventRoutes::list);
        get("settings", settingsRoutes::get);
        patch("settings", settingsRoutes::patch);
        get("cache", settingsRoutes::cache);
        path("nginx", () -> {
          get("config", nginxRoutes::config);
          post("apply", nginxRoutes::apply);
          get("revisions", nginxRoutes::list);
          get("edges", edgeRoutes::list);
          get("revisions/{id}", nginxRoutes::get);
          post("revisions/{id}/rollback", nginxRoutes::rollback);
        });
        get("exports/{file}", nginxRoutes::export);
        get("sd/bridges", discoveryRoutes::bridges);
        get("usage", usageRoutes::report);
        get("usage.csv", usageRoutes::csv);
        path("alerts", () -> {
          path("webhooks", () -> {
            get(alertRoutes::webhooks);
            post(alertRoutes::addWebhook);
            path("{id}", () -> {
              patch(alertRoutes::updateWebhook);
              delete(alertRoutes::deleteWebhook);
              post("test", alertRoutes::test);
            });
          });
          get("rules", alertRoutes::rules);
          patch("rules", alertRoutes::updateRules);
          get("deliveries", alertRoutes::deliveries);
        });
        path("backups", () -> {
          get(backupRoutes::list);
          post(backupRoutes::create);
          get("{name}", backupRoutes::download);
        });
        path("keys", () -> {
          get(keyRoutes::list);
          post(keyRoutes::create);
          path("{id}", () -> {
            get(keyRoutes::get);
            patch(keyRoutes::update);
            delete(keyRoutes::revoke);
          });
        });
        path("logs", () -> {
          get("requests", logRoutes::requests);
          get("requests/{id}", logRoutes::record);
          get("nginx-errors", logRoutes::nginxErrors);
        });
      }));

      config.routes.exception(InvalidInput.class, (e, ctx) -> errors.answer(ctx, 400, refusal(e.getMessage(), e.field(),
          e.violations().stream().map(v -> fieldError(v.field(), v.message())).toList())));
      config.routes.exception(InvalidSetting.class, (e, ctx) -> errors.answer(ctx, 400, refusal(e.getMessage(), e.field(),
          e.violations().stream().map(v -> fieldError(v.field(), v.message())).toList())));
      config.routes.exception(ValidationException.class, (e, ctx) -> {
        var first = e.getErrors().entrySet().iterator().next();
        var rule = first.getValue().get(0);
        errors.answer(ctx, 400, rule.getMessage().equals("TYPE_CONVERSION_FAILED") ? first.getKey() + " must be a number, not '"
            + rule.value + "'" : rule.getMessage(), first.getKey());
      });
      config.routes.exception(SettingsNotKept.class, (e, ctx) -> {
        var body = new java.util.LinkedHashMap<String, Object>();
        body.put("error", e.getMessage());
        body.put("status", 422);
        if (e.getCause() instanceof NginxFailure failure) {
          body.put("revision", NginxRoutes.json(failure.revision()));
        }
        errors.answer(ctx, 422, body);
      });
      config.routes.exception(EventQuery.Refused.class, (e, ctx) -> errors.answer(ctx, 400, e.getMessage(), e.parameter()));
      config.routes.exception(InstanceConflict.class, (e, ctx) -> errors.answer(ctx, 409, e.getMessage(), e.field()));
      config.routes.exception(InstanceNotFound.class, (e, ctx) -> errors.answer(ctx, 404, e.getMessage(), null));
      config.routes.exception(HostConflict.class, (e, ctx) -> errors.answer(ctx, 409, e.getMessage(), e.field()));
      config.routes.exception(HostNotFound.class, (e, ctx) -> errors.answer(ctx, 404, e.getMessage(), null));
      config.routes.exception(AlertNotFound.class, (e, ctx) -> errors.answer(ctx, 404, e.getMessage(), null));
      config.routes.exception(HostUnavailable.class, (e, ctx) -> errors.answer(ctx, 503, e.getMessage(), null));
      config.routes.exception(KeyConflict.class, (e, ctx) -> errors.answer(ctx, 409, e.getMessage(), e.field()));
      config.routes.exception(KeyNotFound.class, (e, ctx) -> errors.answer(ctx, 404, e.getMessage(), null));
      config.routes.exception(RenderException.class, (e, ctx) -> errors.answer(ctx, 400, e.getMessage(), e.field()));
      config.routes.exception(NginxRefusal.class, (e, ctx) -> {
        var body = new java.util.LinkedHashMap<String, Object>();
        body.put("error", e.getMessage());
        body.put("status", 422);
        body.put("test_output", e.testOutput());
        errors.answer(ctx, 422, body);
      });
      config.routes.exception(NginxRoutes.NginxModeOff.class, (e, ctx) -> errors.answer(ctx, 409, e.getMessage(), "nginx.mode"));
      config.routes.exception(NginxRoutes.NotFound.class, (e, ctx) -> errors.answer(ctx, 404, e.getMessage(), null));
      config.routes.exception(BackupRefused.class, (e, ctx) -> errors.answer(ctx, 500, e.getMessage(), null));
      // Javalin's own refusals (a body over maxRequestSize, no such route) in the API's shape too
      config.routes.exception(HttpResponseException.class, (e, ctx) -> errors.answer(ctx, e.getStatus(), switch (e.getStatus()) {
        case 413 -> "the body is larger than " + MAX_BODY_BYTES / 1024 + " KiB";
        case 404 -> "no route for " + ctx.method() + " " + ctx.path();
        default -> e.getMessage();
      }, null));
      config.routes.exception(Exception.class, (e, ctx) -> {
        log.error("{} {} failed", ctx.method(), ctx.path(), e);
        errors.answer(ctx, 500, "internal error: " + e, null);
      });
      config.routes.error(404, ctx -> {
        if (ctx.res().getContentType() == null || ctx.path().startsWith("/api/")
            && !"application/json".equals(ctx.res().getContentType())) {
          errors.answer(ctx, 404, "no route for " + ctx.method() + " " + ctx.path(), null);
        }
      });
      config.routes.error(405, ctx -> errors.answer(ctx, 405, ctx.method() + " is not allowed on " + ctx.path(), null));
    }
  }

  /** Every call but the OpenAPI document needs a valid Bearer token; its owner becomes the actor. */
  private static void authenticate(Context ctx, ApiTokens tokens) {
    if (ctx.path().equals("/api/v1/openapi.json")) {
      return;
    }
    String header = ctx.header("Authorization");
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
    String owner = tokens.verify(token).orElse(null);
    if (owner == null) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"ollama-bridge console\"");
      error(ctx, 401, token == null
          ? "send 'Authorization: Bearer <token>' (the admin token is in <data>/admin-token)"
          : "the token is not valid", null);
      ctx.skipRemainingHandlers();
      return;
    }
    ctx.attribute(ACTOR, "api:" + owner);
  }

  /** Errors in the API's JSON under {@code /api/}, as pages elsewhere. */
  private record Errors(PageErrors pages) {

    void answer(Context ctx, int status, String message, String field) {
      if (ctx.path().startsWith("/api/")) {
        error(ctx, status, message, field);
      } else {
        pages.answer(ctx, status, message);
      }
    }

    /** A JSON body of more than the error and its field; on a page, its message. */
    void answer(Context ctx, int status, java.util.Map<String, ?> body) {
      if (ctx.path().startsWith("/api/")) {
        ctx.status(status).json(body);
      } else {
        pages.answer(ctx, status, String.valueOf(body.get("error")));
      }
    }
  }

  static String actor(Context ctx) {
    String actor = ctx.attribute(ACTOR);
    return actor == null ? "api" : actor;
  }

  /**
   * A 400 of several broken rules: {@code error} says them all, {@code field} names the first (as a
   * refusal of one field does), {@code errors} lists each with its field.
   */
  private static java.util.Map<String, Object> refusal(String message, String field, java.util.List<java.util.Map<String, String>> each) {
    var body = new java.util.LinkedHashMap<String, Object>();
    body.put("error", message);
    if (field != null) {
      body.put("field", field);
    }
    body.put("errors", each);
    body.put("status", 400);
    return body;
  }

  private static java.util.Map<String, String> fieldError(String field, String message) {
    var error = new java.util.LinkedHashMap<String, String>();
    if (field != null) {
      error.put("field", field);
    }
    error.put("error", message);
    return error;
  }

  static void error(Context ctx, int status, String message, String field) {
    var body = new java.util.LinkedHashMap<String, Object>();
    body.put("error", message);
    if (field != null) {
      body.put("field", field);
    }
    body.put("status", status);
    ctx.status(status).json(body);
  }
}
