package dev.ollamabridge.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.link.Desired;
import dev.ollamabridge.link.JoinAnswer;
import dev.ollamabridge.link.JoinRequest;
import dev.ollamabridge.link.LinkPaths;
import dev.ollamabridge.pki.CertificateAuthority;
import dev.ollamabridge.pki.Pem;
import dev.ollamabridge.pki.TlsContexts;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;

/**
 * The console's agent listener as a test plays it, over real TLS with a real CA: a one-time join token
 * that certifies host {@code gpu-1}, and a link that wants that certificate and sends the agent
 * {@link #desired} whenever it connects, recording its reports.
 */
final class TlsTestConsole implements AutoCloseable {

  static final String HOST = "gpu-1";
  private static final ObjectMapper JSON = LinkJson.mapper();

  final CertificateAuthority ca;
  final String token = "join-" + Long.toHexString(System.nanoTime());
  final List<JsonNode> reports = new CopyOnWriteArrayList<>();
  final List<String> linkedAs = new CopyOnWriteArrayList<>();
  volatile Desired desired;
  private final AtomicBoolean tokenUsed = new AtomicBoolean();
  private final int port;
  private Javalin server;

  private TlsTestConsole(CertificateAuthority ca, int port) {
    this.ca = ca;
    this.port = port;
  }

  static TlsTestConsole start(Path dir, int port) throws IOException {
    TlsTestConsole console = new TlsTestConsole(CertificateAuthority.openOrCreate(dir, "test console CA"), port);
    console.listen();
    return console;
  }

  String url() {
    return "https://127.0.0.1:" + port;
  }

  /** Serves again after {@link #close()}, with the same CA and certificate. */
  void listen() throws IOException {
    var tls = TlsContexts.jetty(TlsContexts.server(ca.serverIdentity(List.of("127.0.0.1")), ca.certificate()));
    server = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.jetty.addConnector((jetty, http) -> {
        ServerConnector connector = new ServerConnector(jetty, new SslConnectionFactory(tls, "http/1.1"),
            new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        return connector;
      });
      config.jetty.host = "127.0.0.1";
      config.jetty.port = 0; // Javalin's own plain connector, which nobody dials
      config.routes.post(LinkPaths.JOIN, this::join);
      config.routes.wsBeforeUpgrade(LinkPaths.LINK, ctx -> {
        if (clientCertificate(ctx) == null) {
          ctx.res().setStatus(403);
          ctx.res().setContentType("application/json");
          ctx.res().getOutputStream().write(JSON.writeValueAsBytes(Map.of("error", "no client certificate")));
          ctx.res().flushBuffer();
          ctx.skipRemainingHandlers();
        }
      });
      config.routes.ws(LinkPaths.LINK, ws -> {
        ws.onConnect(ctx -> {
          ctx.session.setIdleTimeout(Duration.ZERO);
          linkedAs.add(ctx.header(LinkPaths.VERSION_HEADER));
          if (desired != null) {
            send(ctx);
          }
        });
        ws.onMessage(ctx -> {
          JsonNode frame = JSON.readTree(ctx.message());
          if (frame.path("type").asText().equals("report")) {
            reports.add(frame);
          }
        });
      });
    });
    server.start();
  }

  private void join(Context ctx) throws IOException {
    JoinRequest request = JSON.readValue(ctx.body(), JoinRequest.class);
    if (!token.equals(request.token()) || !tokenUsed.compareAndSet(false, true)) {
      ctx.status(403).json(Map.of("error", "the join token is unknown or was used already"));
      return;
    }
    X509Certificate certificate = ca.signClient(request.csr(), HOST, Duration.ofDays(1));
    ctx.json(new JoinAnswer(HOST, Pem.encode(certificate), Pem.encode(ca.certificate())));
  }

  private void send(WsContext ctx) {
    try {
      ctx.send(JSON.writeValueAsString(desired));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static X509Certificate clientCertificate(Context ctx) {
    Object chain = ctx.req().getAttribute("jakarta.servlet.request.X509Certificate");
    return chain instanceof X509Certificate[] certificates && certificates.length > 0 ? certificates[0] : null;
  }

  /** The last report, or null. */
  JsonNode lastReport() {
    return reports.isEmpty() ? null : reports.get(reports.size() - 1);
  }

  @Override
  public void close() {
    server.stop();
  }
}
