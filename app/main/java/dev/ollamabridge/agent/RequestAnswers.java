package dev.ollamabridge.agent;

import dev.ollamabridge.console.supervise.Supervisor;
import dev.ollamabridge.link.Desired;
import dev.ollamabridge.link.Reply;
import dev.ollamabridge.link.Request;
import dev.ollamabridge.logs.LogText;
import java.util.List;

/** Answers what the console asks of this host: a bridge's log tail, or the host's supervisor.conf. */
final class RequestAnswers {

  /** The most lines a tail gives, whatever is asked. */
  static final int MAX_TAIL_LINES = 1000;
  /** A line is cut here, so that the longest tail fits a frame with room to spare. */
  static final int MAX_LINE_CHARS = 2000;
  private static final int MAX_ERROR_CHARS = 300;

  private final Supervisor supervisor;
  private final Reconciler reconciler;
  private final HostSupervisorConf supervisorConf;

  RequestAnswers(Supervisor supervisor, Reconciler reconciler, HostSupervisorConf supervisorConf) {
    this.supervisor = supervisor;
    this.reconciler = reconciler;
    this.supervisorConf = supervisorConf;
  }

  Reply answer(Request request) {
    try {
      if (Request.TAIL.equals(request.what())) {
        int lines = Math.max(0, Math.min(MAX_TAIL_LINES, request.lines()));
        List<String> tail = supervisor.tail(request.program(), lines).stream()
            .map(line -> line.length() <= MAX_LINE_CHARS ? line : line.substring(0, MAX_LINE_CHARS) + "…")
            .toList();
        return new Reply(request.id(), tail, null, null);
      }
      if (Request.SUPERVISOR_CONF.equals(request.what())) {
        Desired current = reconciler.applied().orElse(new Desired("", 0, List.of()));
        return new Reply(request.id(), null, supervisorConf.render(current), null);
      }
      return new Reply(request.id(), null, null, "what must be " + Request.TAIL + " or " + Request.SUPERVISOR_CONF);
    } catch (RuntimeException e) {
      return new Reply(request.id(), null, null, LogText.oneLine(String.valueOf(e.getMessage()), MAX_ERROR_CHARS));
    }
  }
}
