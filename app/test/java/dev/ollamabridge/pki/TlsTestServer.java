package dev.ollamabridge.pki;

import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.security.cert.X509Certificate;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real HTTPS server on 127.0.0.1 built as the console's agent listener is: Jetty with
 * {@link TlsContexts#jetty} (client certificates wanted, not needed) over the given context.
 */
public final class TlsTestServer implements AutoCloseable {

  private final Javalin app;

  private TlsTestServer(Javalin app) {
    this.app = app;
  }

  public static TlsTestServer start(SSLContext context, Consumer<RoutesConfig> routes) {
    Javalin app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.jetty.addConnector((server, http) -> {
        http.addCustomizer(new SecureRequestCustomizer());
        ServerConnector connector = new ServerConnector(server, TlsContexts.jetty(context), new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        return connector;
      });
      routes.accept(config.routes);
    });
    app.start();
    return new TlsTestServer(app);
  }

  /** A server whose {@code GET /whoami} answers the CN of the client's certificate, or {@code none}. */
  public static TlsTestServer whoami(SSLContext context) {
    return start(context, routes -> routes.get("/whoami", ctx -> ctx.result(clientCommonName(ctx))));
  }

  /** The CN of the certificate the client presented, or {@code none}. */
  public static String clientCommonName(Context ctx) {
    Object chain = ctx.req().getAttribute("jakarta.servlet.request.X509Certificate");
    if (chain instanceof X509Certificate[] certificates && certificates.length > 0) {
      return CommonNames.of(certificates[0]);
    }
    return "none";
  }

  public int port() {
    return app.port();
  }

  /** {@code https://127.0.0.1:PORT}. */
  public String url() {
    return "https://127.0.0.1:" + port();
  }

  @Override
  public void close() {
    app.stop();
  }
}
