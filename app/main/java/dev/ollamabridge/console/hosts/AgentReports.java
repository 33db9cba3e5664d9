package dev.ollamabridge.console.hosts;

import dev.ollamabridge.link.EdgeReport;
import dev.ollamabridge.link.HostFacts;
import dev.ollamabridge.link.ProgramReport;
import dev.ollamabridge.link.Report;
import dev.ollamabridge.logs.LogText;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An agent's report as the console keeps and shows it: everything in it came from another machine,
 * so every list is capped, every text is one bounded line, and a field that breaks its rule is dropped.
 */
final class AgentReports {

  private static final int MAX_PROGRAMS = 1000;
  private static final Pattern REVISION_HASH = Pattern.compile("[0-9a-f]{1,64}");
  private static final Set<String> EDGE_RESULTS = Set.of("applied", "rejected", "failed");
  /** How much of an edge's {@code nginx -t} output is kept and shown. */
  static final int EDGE_OUTPUT_CHARS = 8 * 1024;

  private AgentReports() {}

  /** A hostile agent's report, cut to size: at most 1000 programs, every text one bounded line. */
  static Report bounded(Report report) {
    if (report == null || report.facts() == null || report.facts().version() == null
        || report.facts().advertise() == null) {
      throw new IllegalArgumentException("a report needs its facts: at least the agent's version and address");
    }
    HostFacts f = report.facts();
    HostFacts facts = new HostFacts(LogText.oneLine(f.version(), 40), LogText.oneLine(f.advertise(), 255),
        LogText.oneLine(f.jdk(), 120), f.cores(), f.memoryBytes(), f.memoryAvailableBytes(), f.diskFreeBytes(),
        f.startedEpochMs());
    List<ProgramReport> programs = report.programs().stream().limit(MAX_PROGRAMS)
        .map(p -> new ProgramReport(LogText.oneLine(p.name(), 64), LogText.oneLine(p.state(), 16), p.pid(),
            p.sinceEpochMs(), p.restarts(), p.lastExitCode(), p.message() == null ? null : LogText.oneLine(p.message(), 300)))
        .toList();
    return new Report(report.applied(), report.applyError() == null ? null : LogText.oneLine(report.applyError(), 300),
        facts, programs, bounded(report.edge()));
  }

  /**
   * An edge's part of a hostile report, cut to size: revisions are short lower-case hex or nothing,
   * the result one of three, the message one line, {@code nginx -t}'s output at most 8 KiB.
   */
  static EdgeReport bounded(EdgeReport edge) {
    if (edge == null) {
      return null;
    }
    String output = edge.output() == null ? null
        : edge.output().replaceAll("[\\p{Cntrl}&&[^\n\t]]", "");
    if (output != null && output.length() > EDGE_OUTPUT_CHARS) {
      output = output.substring(0, EDGE_OUTPUT_CHARS) + "\n…";
    }
    return new EdgeReport(revisionHash(edge.served()), Math.max(0, edge.servedSinceEpochMs()), revisionHash(edge.hash()),
        EDGE_RESULTS.contains(edge.result()) ? edge.result() : null,
        edge.message() == null ? null : LogText.oneLine(edge.message(), 300), output, Math.max(0, edge.atEpochMs()),
        edge.nginx() == null ? null : LogText.oneLine(edge.nginx(), 120));
  }

  private static String revisionHash(String hash) {
    return hash != null && REVISION_HASH.matcher(hash).matches() ? hash : null;
  }
}
