package dev.ollamabridge.link;

import java.util.List;

/**
 * The agent's report, every {@link LinkPaths#REPORT_SECONDS} seconds and right after it applied a
 * desired state.
 *
 * @param applied the revision of the desired state it runs (0: none yet)
 * @param applyError why the last desired state could not be applied whole, or null
 * @param edge what its nginx does, on a host the desired state makes an edge; null otherwise
 */
public record Report(long applied, String applyError, HostFacts facts, List<ProgramReport> programs, EdgeReport edge)
    implements LinkMessage {

  public Report {
    programs = List.copyOf(programs);
  }

  /** A report of a host that is no edge. */
  public Report(long applied, String applyError, HostFacts facts, List<ProgramReport> programs) {
    this(applied, applyError, facts, programs, null);
  }
}
