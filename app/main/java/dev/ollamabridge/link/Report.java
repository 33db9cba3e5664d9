package dev.ollamabridge.link;

import java.util.List;

/**
 * The agent's report, every {@link LinkPaths#REPORT_SECONDS} seconds and right after it applied a
 * desired state.
 *
 * @param applied the revision of the desired state it runs (0: none yet)
 * @param applyError why the last desired state could not be applied whole, or null
 */
public record Report(long applied, String applyError, HostFacts facts, List<ProgramReport> programs)
    implements LinkMessage {

  public Report {
    programs = List.copyOf(programs);
  }
}
