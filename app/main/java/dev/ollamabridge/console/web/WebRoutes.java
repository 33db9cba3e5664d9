package dev.ollamabridge.console.web;

import static io.javalin.apibuilder.ApiBuilder.get;
import static io.javalin.apibuilder.ApiBuilder.path;
import static io.javalin.apibuilder.ApiBuilder.post;

import dev.ollamabridge.console.ConsoleServices;
import dev.ollamabridge.console.auth.AdminAccount;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;

/**
 * The web console: its pages, the session and CSRF checks in front of them, its static files and
 * vendor libraries, and the console's own {@code /metrics}. Handlers are thin; the services decide.
 */
public final class WebRoutes {

  private static final String[] PUBLIC = {"/login", "/static/", "/webjars/", "/api/", "/metrics", "/favicon.ico"};

  private final ConsoleServices services;
  private final Pages pages = new Pages();
  private final WebSecurity security;
  private final LoginRoutes login;
  private final InstancePages instances;
  private final NginxPages nginx;
  private final SettingsPages settings;
  private final EventPages events;
  private final FilePages files;
  private final TokenPages tokens;
  private final KeyPages keys;
  private final HostPages hosts;
  private final UsagePages usage;
  private final AlertPages alerts;
  private final BackupPages backups;
  private final LogPages logs;

  public WebRoutes(ConsoleServices services) {
    this.services = services;
    this.security = new WebSecurity(services.sessions());
    this.login = new LoginRoutes(services.admin(), services.sessions(), services.logins(), services.events(), pages);
    this.instances = new InstancePages(services.instances(), services.hosts(), services.scraper(), services.revisions(), services.events(),
        pages, services.settings(), services.applier().isPresent());
    this.nginx = new NginxPages(services.settings(), services.configs(), services.applier(), services.revisions(),
        services.edges(), pages);
    this.settings = new SettingsPages(services.settings(), services.bridgeJava(), services.instances()::archive,
        services.cache(), pages);
    this.events = new EventPages(services.events(), pages);
    this.files = new FilePages(services.configs(), pages);
    this.tokens = new TokenPages(services.tokens(), services.events(), pages);
    this.keys = new KeyPages(services.keys(), services.settings(), pages);
    this.hosts = new HostPages(services.hosts(), services.instances(), pages);
    this.usage = new UsagePages(services.usage(), services.json(), pages);
    this.alerts = new AlertPages(services.alerts(), services.alerts().machine(), pages);
    this.backups = new BackupPages(services.backups(), pages);
    this.logs = new LogPages(services.requestLogs(), services.instances(), services.hosts(), services.json(), pages);
  }

  public void register(JavalinConfig config) {
    config.staticFiles.add(files -> {
      files.hostedPath = "/static";
      files.directory = "/static";
      files.location = Location.CLASSPATH;
      files.headers = Map.of("Cache-Control", "no-cache", "X-Content-Type-Options", "nosniff");
    });
    config.staticFiles.enableWebjars();
    config.routes.before(WebSecurity::headers);
    config.routes.before(ctx -> {
      for (String open : PUBLIC) {
        if (ctx.path().equals(open) || open.endsWith("/") && ctx.path().startsWith(open)) {
          return;
        }
      }
      security.requireSession(ctx);
    });
    config.routes.apiBuilder(() -> {
      get("/login", login::form);
      post("/login", login::login);
      post("/logout", login::logout);
      get("/password", login::passwordForm);
      post("/password", login::changePassword);
      get("/", instances::dashboard);
      path("/instances", () -> {
        post("live", instances::live);
        post("bulk", instances::bulk);
        get("series", instances::clusterSeries);
        post("add", instances::add);
        get("new", instances::newForm);
        post("new", instances::create);
        path("{id}", () -> {
          get(instances::show);
          post(instances::update);
          post("start", instances::start);
          post("stop", instances::stop);
          post("restart", instances::restart);
          post("remove", instances::remove);
          get("now", instances::now);
          get("logs", instances::logs);
          get("series", instances::series);
        });
      });
      path("/hosts", () -> {
        get(hosts::list);
        post(hosts::add);
        get("live", hosts::live);
        post("joins/{id}/revoke", hosts::revokeJoin);
        path("{name}", () -> {
          post("revoke", hosts::revoke);
          post("edge", hosts::edge);
          get("supervisor.conf", hosts::supervisorConf);
        });
      });
      path("/nginx", () -> {
        get(nginx::show);
        get("edges", nginx::edges);
        post("apply", nginx::apply);
        post("settings", nginx::saveSettings);
        get("revisions/{id}", nginx::showRevision);
        post("revisions/{id}/rollback", nginx::rollback);
      });
      get("/settings", settings::show);
      get("/settings/cache", settings::cache);
      post("/settings", settings::save);
      post("/settings/backup", backups::create);
      get("/settings/backups", backups::list);
      get("/settings/backups/{name}", backups::download);
      get("/events", events::list);
      get("/models", ctx -> pages.render(ctx, "models.jte",
          ModelsPage.of(layout(ctx, "Models", "models"), services.models())));
      get("/files", files::show);
      get("/files/{name}", files::download);
      path("/tokens", () -> {
        get(tokens::list);
        post(tokens::create);
        post("{id}/revoke", tokens::revoke);
      });
      path("/alerts", () -> {
        get(alerts::show);
        get("live", alerts::live);
        post("webhooks", alerts::addWebhook);
        post("webhooks/{id}/enabled", alerts::setEnabled);
        post("webhooks/{id}/test", alerts::test);
        post("webhooks/{id}/delete", alerts::delete);
        post("rules", alerts::saveRules);
      });
      path("/keys", () -> {
        get(keys::list);
        post(keys::create);
        post("{id}/enable", keys::enable);
        post("{id}/disable", keys::disable);
        post("{id}/revoke", keys::revoke);
      });
      path("/logs", () -> {
        get(logs::list);
        get("rows", logs::rows);
        get("requests/{id}", logs::record);
        get("nginx-errors", logs::nginxErrors);
      });
      get("/metrics", this::metrics);
      get("/usage", usage::show);
      get("/usage.csv", usage::csv);
    });
  }

  /** The console's own metrics, for Prometheus: instances by state and health, nginx applies. */
  private void metrics(Context ctx) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    services.metrics().write(out);
    ctx.contentType(services.metrics().contentType()).result(out.toByteArray());
  }

  /** An error on a page: a page saying so; to htmx, the message alone, which the page shows in its banner. */
  public void error(Context ctx, int status, String message) {
    ctx.status(status);
    if (ctx.header("HX-Request") != null) {
      ctx.contentType("text/plain; charset=utf-8").result(message);
      return;
    }
    pages.render(ctx, "error.jte", new ErrorPage(status, message));
  }

  /** The layout of a page of this request's session. */
  static Layout layout(Context ctx, String title, String section) {
    return new Layout(title, section, WebSecurity.session(ctx).csrfToken());
  }

  /** Who the events say made a change from the pages. */
  static String actor(Context ctx) {
    return "web:" + AdminAccount.USER;
  }
}
