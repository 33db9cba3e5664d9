package dev.ollamabridge.link;

import java.util.List;

/**
 * What a host should run, as of a revision: sent when the agent connects and whenever it changes.
 * The agent applies it as one transaction and keeps it on disk, so that it goes on running it while
 * the console is away.
 *
 * @param host the host's name
 * @param revision goes up by one whenever the document's content changes, never otherwise
 * @param edge the nginx this host runs as an edge of the cluster, or null when it is no edge (the
 *     agent then stops the nginx it ran as one)
 * @param keys the cluster's client keys, which the agent writes to the file its bridges watch
 *     ({@code --client-keys-file}); null from a console that sends none (the agent keeps its file)
 */
public record Desired(String host, long revision, List<BridgeSpec> bridges, EdgeSpec edge, KeyRules keys)
    implements LinkMessage {

  public Desired {
    bridges = List.copyOf(bridges);
  }

  /** A host whose bridges get no client keys from this document. */
  public Desired(String host, long revision, List<BridgeSpec> bridges, EdgeSpec edge) {
    this(host, revision, bridges, edge, null);
  }

  /** A host that is no edge. */
  public Desired(String host, long revision, List<BridgeSpec> bridges) {
    this(host, revision, bridges, null, null);
  }
}
