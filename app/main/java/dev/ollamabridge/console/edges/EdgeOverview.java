package dev.ollamabridge.console.edges;

import java.util.List;

/**
 * Every edge of the cluster and whether they serve its current revision.
 *
 * @param revision the current revision: the console's own config of the cluster's state now
 * @param revisionId the console's record of it, or null when it has none yet (nginx.mode off)
 * @param edges the console's own first (unless nginx.mode is off), then the hosts by name
 * @param summary one line: {@code Revision X applied on every Ready edge}, or which are behind and why
 * @param everywhere whether every Ready edge serves the current revision
 */
public record EdgeOverview(String revision, Long revisionId, List<EdgeRow> edges, String summary, boolean everywhere) {

  public EdgeOverview {
    edges = List.copyOf(edges);
  }
}
