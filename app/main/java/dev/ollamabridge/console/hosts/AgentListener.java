package dev.ollamabridge.console.hosts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.link.JoinRequest;
import dev.ollamabridge.link.LinkMessage;
import dev.ollamabridge.link.LinkPaths;
import dev.ollamabridge.link.Reply;
import dev.ollamabridge.link.Report;
import dev.ollamabridge.logs.LogText;
import dev.ollamabridge.pki.Identity;
import dev.ollamabridge.pki.TlsContexts;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import okhttp3.HttpUrl;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's one port meant for other machines: agents join here (a token, no certificate yet)
 * and then hold their link open (a WebSocket, mutual TLS). TLS only; nothing else is served on it.
 */
public final class AgentListener implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AgentListener.class);
  private static final int MAX_JOIN_BYTES = 64 * 1024;
  private static final String HOST = "ollamabridge.host";

  private final Javalin server;

  private AgentListener(Javalin server) {
    this.server = server;
  }

  /**
   * Listens on {@code listen} with a certificate of the console's CA for every name agents may dial:
   * the agent URL's host, and the listen address (for a wildcard, every address of this machine and
   * its name); client certificates are wanted, and trusted when the CA issued them.
   */
  public static AgentListener start(HostPort listen, AgentAccess access, HostService hosts, ObjectMapper json)
      throws IOException {
    Identity identity = access.ca().serverIdentity(serverNames(listen, access.url()));
    AgentListener listener = start(listen, TlsContexts.server(identity, access.ca().certificate()), hosts, json);
    log.info("agents join and link on {} (CA {})", access.url(), access.ca().fingerprint());
    return listener;
  }

  private static List<String> serverNames(HostPort listen, String url) throws IOException {
    Set<String> names = new TreeSet<>();
    names.add(HttpUrl.get(url).host());
    if (HostPort.isWildcard(listen.host())) {
      names.add("localhost");
      names.add(InetAddress.getLocalHost().getHostName());
      for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        Collections.list(network.getInetAddresses()).forEach(address -> names.add(address.getHostAddress().replaceAll("%.*", "")));
      }
    } else {
      names.add(listen.host());
    }
    return List.copyOf(names);
  }

  /** Listens on {@code listen} with {@code tls}, which presents the console's agent certificate and wants clients'. */
  static AgentListener start(HostPort listen, SSLContext tls, HostService hosts, ObjectMapper json) {
    Javalin server = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.http.maxRequestSize = MAX_JOIN_BYTES;
      config.jetty.modifyWebSocketServletFactory(factory -> {
        factory.setMaxTextMessageSize(LinkPaths.MAX_FRAME_BYTES);
        factory.setIdleTimeout(Duration.ofSeconds(4L * LinkPaths.REPORT_SECONDS));
      });
      config.jetty.addConnector((jetty, http) -> {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setSslContext(tls);
        ssl.setWantClientAuth(true);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false); // agents may dial an IP address
        http.addCustomizer(secure);
        ServerConnector connector = new ServerConnector(jetty, ssl, new HttpConnectionFactory(http));
        connector.setHost(listen.host());
        connector.setPort(listen.port());
        return connector;
      });
      config.routes.post(LinkPaths.JOIN, ctx -> join(ctx, hosts, json));
      config.routes.wsBeforeUpgrade(LinkPaths.LINK, ctx -> {
        X509Certificate[] chain = ctx.req().getAttribute("jakarta.servlet.request.X509Certificate") instanceof X509Certificate[] c
            ? c : null;
        try {
          ctx.attribute(HOST, hosts.admit(chain, ctx.header(LinkPaths.VERSION_HEADER)));
        } catch (JoinRefused refused) {
          refuseUpgrade(ctx, refused, json);
        }
      });
      config.routes.ws(LinkPaths.LINK, ws -> {
        ws.onConnect(ctx -> {
          ctx.enableAutomaticPings(LinkPaths.REPORT_SECONDS, TimeUnit.SECONDS);
          String host = ctx.attribute(HOST);
          log.info("host {} linked from {}", host, ctx.session.getRemoteSocketAddress());
          hosts.connected(host, link(ctx, json));
        });
        ws.onMessage(ctx -> {
          String host = ctx.attribute(HOST);
          hosts.received(host, ctx.message().length());
          try {
            LinkMessage message = json.readValue(ctx.message(), LinkMessage.class);
            if (message instanceof Report report) {
              hosts.report(host, report);
            } else if (message instanceof Reply reply) {
              hosts.reply(host, reply);
            } else {
              log.warn("host {} sent a frame only the console sends", host);
            }
          } catch (JsonProcessingException | RuntimeException e) {
            log.warn("host {} sent a frame that does not parse: {}", host, LogText.oneLine(e.getMessage(), 200));
          }
        });
        ws.onClose(ctx -> {
          String host = ctx.attribute(HOST);
          log.info("host {} link closed ({} {})", host, ctx.status(), LogText.oneLine(ctx.reason(), 120));
          hosts.disconnected(host, link(ctx, json));
        });
        ws.onError(ctx -> log.debug("host {} link error: {}", (Object) ctx.attribute(HOST), String.valueOf(ctx.error())));
      });
      config.routes.exception(JoinRefused.class, (e, ctx) -> {
        log.warn("refused an agent from {}: {}", ctx.ip(), e.getMessage());
        ctx.status(e.status()).json(Map.of("error", e.getMessage()));
      });
      config.routes.exception(Exception.class, (e, ctx) -> {
        log.error("{} {} failed", ctx.method(), ctx.path(), e);
        ctx.status(500).json(Map.of("error", "internal error"));
      });
    });
    server.start();
    return new AgentListener(server);
  }

  /**
   * Answers a refused upgrade with its reason. Javalin sends what a handler sets before an upgrade
   * without its body, so the body goes straight to the servlet response, for the agent to print.
   */
  private static void refuseUpgrade(Context ctx, JoinRefused refused, ObjectMapper json) throws java.io.IOException {
    log.warn("refused a link from {}: {}", ctx.ip(), refused.getMessage());
    ctx.res().setStatus(refused.status());
    ctx.res().setContentType("application/json");
    ctx.res().getOutputStream().write(json.writeValueAsBytes(Map.of("error", refused.getMessage())));
    ctx.res().flushBuffer();
    ctx.skipRemainingHandlers();
  }

  private static void join(Context ctx, HostService hosts, ObjectMapper json) {
    JoinRequest request;
    try {
      request = json.readValue(ctx.bodyAsBytes(), JoinRequest.class);
    } catch (java.io.IOException e) {
      throw new JoinRefused(400, "the join request is not the JSON of a join: " + LogText.oneLine(e.getMessage(), 120));
    }
    ctx.json(hosts.join(request, ctx.ip()));
  }

  /** The session as the service sends on it; two of the same session are equal, so a close finds the link it opened. */
  private static AgentLink link(WsContext ctx, ObjectMapper json) {
    return new SessionLink(ctx, json);
  }

  private record SessionLink(WsContext ctx, ObjectMapper json) implements AgentLink {
    @Override
    public void send(LinkMessage message) {
      try {
        ctx.send(json.writeValueAsString(message));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      } catch (RuntimeException e) {
        log.debug("could not send to a closing link: {}", e.toString());
      }
    }

    @Override
    public void close(int code, String reason) {
      ctx.closeSession(code, reason.length() > 120 ? reason.substring(0, 120) : reason);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof SessionLink link && link.ctx.sessionId().equals(ctx.sessionId());
    }

    @Override
    public int hashCode() {
      return ctx.sessionId().hashCode();
    }
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.stop();
  }
}
