package dev.ollamabridge.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.console.files.GeneratedFiles;
import dev.ollamabridge.console.supervise.Supervisor;
import dev.ollamabridge.link.BridgeSpec;
import dev.ollamabridge.link.Desired;
import dev.ollamabridge.link.Reply;
import dev.ollamabridge.link.Request;
import dev.ollamabridge.logs.LogTail;
import dev.ollamabridge.logs.LogText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers what the console asks of this host: a bridge's log tail, the host's supervisor.conf, the
 * last lines of a bridge's request log, of the edge nginx's JSON access log or of its error log. The
 * files are this agent's own: a request names a bridge, checked against those it runs, never a path.
 */
final class RequestAnswers {

  /** The most lines a tail gives, whatever is asked. */
  static final int MAX_TAIL_LINES = 1000;
  /** A line is cut here, so that the longest tail fits a frame with room to spare. */
  static final int MAX_LINE_CHARS = 2000;
  /** A line of a request or access log longer than this is shortened (a request's bodies) or cut. */
  static final int MAX_LOG_LINE_CHARS = 64 * 1024;
  /**
   * What is read of a log's end: its lines go into one frame of the link as JSON strings, where
   * escaping may double them, and a frame holds at most {@link dev.ollamabridge.link.LinkPaths#MAX_FRAME_BYTES}.
   */
  static final int MAX_LOG_BYTES = 1536 * 1024;
  private static final int MAX_ERROR_CHARS = 300;
  private static final String CUT = "…[cut]";

  private final Supervisor supervisor;
  private final Reconciler reconciler;
  private final HostSupervisorConf supervisorConf;
  private final BridgePrograms programs;

  RequestAnswers(Supervisor supervisor, Reconciler reconciler, HostSupervisorConf supervisorConf) {
    this.supervisor = supervisor;
    this.reconciler = reconciler;
    this.supervisorConf = supervisorConf;
    this.programs = reconciler.bridgePrograms();
  }

  Reply answer(Request request) {
    try {
      int lines = Math.max(0, Math.min(MAX_TAIL_LINES, request.lines()));
      return switch (request.what() == null ? "" : request.what()) {
        case Request.TAIL -> new Reply(request.id(), supervisor.tail(request.program(), lines).stream()
            .map(line -> line.length() <= MAX_LINE_CHARS ? line : line.substring(0, MAX_LINE_CHARS) + "…")
            .toList(), null, null);
        case Request.SUPERVISOR_CONF -> new Reply(request.id(), null,
            supervisorConf.render(reconciler.applied().orElse(new Desired("", 0, List.of()))), null);
        case Request.REQUESTS -> new Reply(request.id(), requestLines(runningBridge(request.program()), lines), null, null);
        case Request.ACCESS -> new Reply(request.id(), tail(nginxLog(GeneratedFiles.REQUESTS_LOG), lines, true), null,
            null);
        case Request.NGINX_ERRORS -> new Reply(request.id(), tail(nginxLog("logs/error.log"), lines, false), null,
            null);
        default -> new Reply(request.id(), null, null, "what must be " + String.join(", ", Request.TAIL,
            Request.SUPERVISOR_CONF, Request.REQUESTS, Request.ACCESS, Request.NGINX_ERRORS));
      };
    } catch (RuntimeException e) {
      return new Reply(request.id(), null, null, LogText.oneLine(String.valueOf(e.getMessage()), MAX_ERROR_CHARS));
    }
  }

  /** The name of a bridge this agent runs: the only names whose request logs it answers with. */
  private String runningBridge(String name) {
    List<String> running = reconciler.applied().map(Desired::bridges).orElse(List.of()).stream()
        .map(BridgeSpec::name).toList();
    if (name == null || !running.contains(name)) {
      throw new IllegalArgumentException("this host runs no bridge named '" + LogText.oneLine(String.valueOf(name), 100)
          + "'");
    }
    return name;
  }

  private Path nginxLog(String relative) {
    return programs.dataDir().resolve("nginx").resolve(relative);
  }

  private List<String> requestLines(String bridge, int lines) {
    List<String> out = new ArrayList<>();
    for (String line : read(programs.requestLog(bridge), lines)) {
      out.add(line.length() <= MAX_LOG_LINE_CHARS ? line : withShorterBodies(line));
    }
    return out;
  }

  private static List<String> tail(Path file, int lines, boolean json) {
    return read(file, lines).stream().map(line -> line.length() <= (json ? MAX_LOG_LINE_CHARS : MAX_LINE_CHARS) ? line
        : line.substring(0, json ? MAX_LOG_LINE_CHARS : MAX_LINE_CHARS) + CUT).toList();
  }

  private static List<String> read(Path file, int lines) {
    try {
      return LogTail.last(file, lines, MAX_LOG_BYTES);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file.getFileName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * A request log line over the bound is one with bodies ({@code --log-bodies}): they are halved
   * until the line fits, each cut with a mark, so that it stays a whole JSON object. A line that
   * still does not fit (or is no such object) is cut, for the console to refuse.
   */
  private static String withShorterBodies(String line) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(line);
    } catch (IOException e) {
      node = null;
    }
    if (node instanceof ObjectNode object) {
      String shorter = line;
      for (int round = 0; round < 24 && shorter.length() > MAX_LOG_LINE_CHARS; round++) {
        halve(object, "request_body");
        halve(object, "response_body");
        shorter = object.toString();
      }
      if (shorter.length() <= MAX_LOG_LINE_CHARS) {
        return shorter;
      }
    }
    return line.substring(0, MAX_LOG_LINE_CHARS) + CUT;
  }

  private static void halve(ObjectNode line, String body) {
    JsonNode text = line.get(body);
    if (text != null && text.isTextual() && !text.asText().isEmpty()) {
      String kept = text.asText();
      kept = kept.endsWith(CUT) ? kept.substring(0, kept.length() - CUT.length()) : kept;
      int half = kept.length() / 2;
      half -= half > 0 && Character.isHighSurrogate(kept.charAt(half - 1)) ? 1 : 0; // never half a character
      line.put(body, kept.substring(0, half) + CUT);
    }
  }
}
