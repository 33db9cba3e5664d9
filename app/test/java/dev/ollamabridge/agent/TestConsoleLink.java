package dev.ollamabridge.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.link.LinkMessage;
import dev.ollamabridge.link.LinkPaths;
import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The console's end of the link as a test plays it: a real WebSocket server (plain ws, on loopback) that
 * records what the agent sends, can send it frames, and can refuse it the way the console does.
 */
final class TestConsoleLink implements AutoCloseable {

  private static final ObjectMapper JSON = LinkJson.mapper();

  private final Javalin server;
  final List<JsonNode> received = new CopyOnWriteArrayList<>();
  final List<String> versions = new CopyOnWriteArrayList<>();
  final List<String> extensions = new CopyOnWriteArrayList<>();
  final AtomicInteger upgrades = new AtomicInteger();
  final AtomicInteger connects = new AtomicInteger();
  private volatile WsContext agent;
  /** When set, an upgrade is answered 403 with this as {@code {"error": ...}}. */
  volatile String refuseUpgradeWith;

  private TestConsoleLink(Javalin server) {
    this.server = server;
  }

  static TestConsoleLink start(int port) {
    TestConsoleLink[] link = new TestConsoleLink[1];
    Javalin server = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.jetty.host = "127.0.0.1";
      config.jetty.port = port;
      config.jetty.modifyWebSocketServletFactory(factory -> factory.setMaxTextMessageSize(2L * LinkPaths.MAX_FRAME_BYTES));
      config.routes.wsBeforeUpgrade(LinkPaths.LINK, ctx -> {
        link[0].upgrades.incrementAndGet();
        String refusal = link[0].refuseUpgradeWith;
        if (refusal != null) {
          // Javalin sends no result set before an upgrade: the body is written to the response itself
          ctx.res().setStatus(403);
          ctx.res().setContentType("application/json");
          ctx.res().getOutputStream().write(JSON.writeValueAsBytes(Map.of("error", refusal)));
          ctx.res().flushBuffer();
          ctx.skipRemainingHandlers();
        }
      });
      config.routes.ws(LinkPaths.LINK, ws -> {
        ws.onConnect(ctx -> {
          ctx.session.setIdleTimeout(java.time.Duration.ZERO);
          link[0].versions.add(String.valueOf(ctx.header(LinkPaths.VERSION_HEADER)));
          link[0].extensions.add(String.valueOf(ctx.header("Sec-WebSocket-Extensions")));
          link[0].agent = ctx;
          link[0].connects.incrementAndGet();
        });
        ws.onMessage(ctx -> link[0].received.add(JSON.readTree(ctx.message())));
      });
    });
    link[0] = new TestConsoleLink(server);
    server.start();
    return link[0];
  }

  int port() {
    return server.port();
  }

  String url() {
    return "ws://127.0.0.1:" + port() + LinkPaths.LINK;
  }

  void send(LinkMessage message) {
    try {
      sendText(JSON.writeValueAsString(message));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void sendText(String text) {
    agent.send(text);
  }

  void closeLink(int code, String reason) {
    agent.closeSession(code, reason);
  }

  /** The frames of one type the agent sent, oldest first. */
  List<JsonNode> received(String type) {
    return received.stream().filter(frame -> frame.path("type").asText().equals(type)).toList();
  }

  @Override
  public void close() {
    server.stop();
  }
}
