package dev.ollamabridge.link;

import java.util.List;

/**
 * What a host should run, as of a revision: sent when the agent connects and whenever it changes.
 * The agent applies it as one transaction and keeps it on disk, so that it goes on running it while
 * the console is away.
 *
 * @param host the host's name
 * @param revision goes up by one whenever the document's content changes, never otherwise
 */
public record Desired(String host, long revision, List<BridgeSpec> bridges) implements LinkMessage {

  public Desired {
    bridges = List.copyOf(bridges);
  }
}
