package dev.ollamabridge.link;

/**
 * The nginx an edge host runs: the cluster's configuration as the console rendered it for this host
 * (its own listen address, paths relative to the agent's nginx prefix), which the agent applies with
 * the same transaction as the console applies its own: stage → {@code nginx -t} → swap → reload →
 * verify that nginx answers {@code /nginx-health} with {@code X-Config-Revision: <hash>}, keeping the
 * last good file on any failure.
 *
 * @param hash the revision, as the config's {@code # Revision <hash>} line and its {@code /nginx-health}
 *     header carry it; the same on every edge for the same state of the cluster
 * @param config the whole nginx.conf
 * @param listen {@code HOST:PORT} the config listens on ({@code 0.0.0.0:PORT}: every address of the
 *     host), which the agent dials on loopback (or that address) to verify
 */
public record EdgeSpec(String hash, String config, String listen) {

  /** Shows the revision and the size, not the text. */
  @Override
  public String toString() {
    return "EdgeSpec[hash=" + hash + ", listen=" + listen + ", config=" + (config == null ? 0 : config.length())
        + " chars]";
  }
}
