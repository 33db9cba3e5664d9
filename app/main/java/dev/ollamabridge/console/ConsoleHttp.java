package dev.ollamabridge.console;

import dev.ollamabridge.console.api.ConsoleApi;
import dev.ollamabridge.console.web.WebRoutes;
import dev.ollamabridge.http.BodyDeadline;
import dev.ollamabridge.http.ServerThreads;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/** The console's one HTTP server: the web pages, the REST API under {@code /api/v1}, and {@code /metrics}. */
public final class ConsoleHttp {

  /**
   * How long a request body may take to arrive. The console's bodies are small (a form is a few
   * KiB; the largest API body, an instance with all its lists, tens of KiB), so ten seconds is
   * ample on a slow link, and a client that drips its body holds a connection no longer.
   */
  public static final Duration BODY_DEADLINE = Duration.ofSeconds(10);

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
      // A body arrives whole before a thread is spent on it, or is refused after the deadline.
      config.jetty.modifyServer(jetty -> jetty.insertHandler(new BodyDeadline(BODY_DEADLINE, ConsoleApi.MAX_BODY_BYTES)));
      config.jsonMapper(new JavalinJackson(services.json(), false));
      config.http.maxRequestSize = ConsoleApi.MAX_BODY_BYTES;
      config.http.prefer405over404 = true;
      config.routes.before(ConsoleHttp::bodyInTime);
      web.register(config);
      ConsoleApi.register(config, services, web::error);
    });
  }

  /**
   * Reads the body, which {@link BodyDeadline} has gathered by now, before any handler: one that
   * missed its deadline is a 408, one the client broke off a 400, each answered like every other
   * error, as a page or in the API's JSON. Handlers then read the body from memory.
   */
  private static void bodyInTime(Context ctx) {
    try {
      ctx.bodyAsBytes();
    } catch (Exception e) { // Javalin's Kotlin throws the IOException of a failed read undeclared
      if (e instanceof BodyDeadline.BodyTimeoutException late) {
        throw new HttpResponseException(408, "the request body did not arrive within " + late.deadline().toSeconds()
            + " s", Map.of());
      }
      if (e instanceof IOException) {
        throw new HttpResponseException(400, "the request body could not be read: the client stopped sending it",
            Map.of());
      }
      throw e;
    }
  }
}
