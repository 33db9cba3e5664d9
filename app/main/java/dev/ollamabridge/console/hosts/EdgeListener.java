package dev.ollamabridge.console.hosts;

import dev.ollamabridge.link.EdgeReport;

/** Told of the edges: a host's role changed, or an edge's agent reported something new of its nginx. */
public interface EdgeListener {

  /** The host became an edge, stopped being one, or its listen address changed. */
  void roleChanged(String host);

  /**
   * The host's report says something new of its nginx (checked and stored already).
   *
   * @param before what it said before, or null
   * @param now what it says now, or null when it runs no edge nginx
   */
  void reported(String host, EdgeReport before, EdgeReport now);
}
