package dev.ollamabridge.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.agent.Enrolled;
import dev.ollamabridge.agent.Enrolment;
import dev.ollamabridge.cli.Version;
import dev.ollamabridge.link.Desired;
import dev.ollamabridge.link.EdgeReport;
import dev.ollamabridge.link.HostFacts;
import dev.ollamabridge.link.LinkMessage;
import dev.ollamabridge.link.LinkPaths;
import dev.ollamabridge.link.Report;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * An agent played by the test: it joins with a real token (TLS, the CA pinned), links over the real
 * WebSocket, records every desired state the console sends, and reports what the test makes it say,
 * hostile text included.
 */
final class EdgeLinkAgent implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String consoleUrl;
  private final OkHttpClient http;
  final List<Desired> received = new CopyOnWriteArrayList<>();
  private WebSocket link;

  private EdgeLinkAgent(String consoleUrl, OkHttpClient http) {
    this.consoleUrl = consoleUrl;
    this.http = http;
  }

  /** Adds the host through the API, joins it as its agent would, and links. */
  static EdgeLinkAgent join(ConsoleClient api, String name, Path agentData) {
    ConsoleClient.Answer added = api.post("/hosts", "{\"name\":\"" + name + "\"}");
    if (added.status() != 201) {
      throw new AssertionError(added.body());
    }
    String command = added.body().path("command").asText();
    String url = flag(command, "--console");
    Enrolled enrolled = Enrolment.ensure(agentData, url, flag(command, "--join"), flag(command, "--ca-sha256"), "127.0.0.1");
    EdgeLinkAgent agent = new EdgeLinkAgent(url, enrolled.okHttp(new OkHttpClient.Builder()).build());
    agent.connect();
    return agent;
  }

  /** Opens the link (again): the console sends the current desired state at once. */
  void connect() {
    if (link != null) {
      link.close(1000, "reconnecting");
    }
    link = http.newWebSocket(new Request.Builder().url(consoleUrl + LinkPaths.LINK)
        .header(LinkPaths.VERSION_HEADER, Version.current()).build(), new WebSocketListener() {
          @Override
          public void onMessage(WebSocket socket, String text) {
            try {
              if (JSON.readValue(text, LinkMessage.class) instanceof Desired desired) {
                received.add(desired);
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        });
  }

  Desired last() {
    return received.isEmpty() ? null : received.get(received.size() - 1);
  }

  /** Reports the last desired state applied, and what its nginx does. */
  void report(EdgeReport edge) {
    Desired last = last();
    Report report = new Report(last == null ? 0 : last.revision(), null, new HostFacts(Version.current(), "127.0.0.1", "21",
        2, 8L << 30, 4L << 30, 50L << 30, System.currentTimeMillis()), List.of(), edge);
    try {
      link.send(JSON.writerFor(LinkMessage.class).writeValueAsString(report));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String flag(String command, String flag) {
    Matcher matcher = Pattern.compile(Pattern.quote(flag) + " (\\S+)").matcher(command);
    if (!matcher.find()) {
      throw new AssertionError(flag + " in " + command);
    }
    return matcher.group(1);
  }

  @Override
  public void close() {
    if (link != null) {
      link.cancel();
    }
  }
}
