package dev.ollamabridge.console;

import dev.ollamabridge.console.api.ConsoleApi;
import dev.ollamabridge.console.web.WebRoutes;
import dev.ollamabridge.http.ServerThreads;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;

/** The console's one HTTP server: the web pages, the REST API under {@code /api/v1}, and {@code /metrics}. */
public final class ConsoleHttp {

  private ConsoleHttp() {}

  /** The app, not yet started; tests build the same app on port 0. */
  public static Javalin create(String host, int port, ConsoleServices services) {
    WebRoutes web = new WebRoutes(services);
    return Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.jetty.host = host;
      config.jetty.port = port;
      ServerThreads.configure(config);
      config.jsonMapper(new JavalinJackson(services.json(), false));
      config.http.maxRequestSize = ConsoleApi.MAX_BODY_BYTES;
      config.http.prefer405over404 = true;
      web.register(config);
      ConsoleApi.register(config, services, web::error);
    });
  }
}
