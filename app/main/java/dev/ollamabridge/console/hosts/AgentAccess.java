package dev.ollamabridge.console.hosts;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.pki.CertificateAuthority;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How agents reach this console, when its agent listener is on.
 *
 * @param url the https URL agents dial ({@code --agent-url}, else the listener's address)
 * @param ca the console's CA, which signs the hosts' certificates and whose fingerprint the join command carries
 */
public record AgentAccess(String url, CertificateAuthority ca) {

  /**
   * With an agent listener ({@code --agent-listen}): the console's CA, made in {@code pkiDir} on the
   * first start, and the URL agents dial; empty without one.
   */
  public static Optional<AgentAccess> of(HostPort listen, String url, Path pkiDir) throws IOException {
    if (listen == null) {
      return Optional.empty();
    }
    CertificateAuthority ca = CertificateAuthority.openOrCreate(pkiDir, "Ollama Bridge console CA");
    return Optional.of(new AgentAccess(url != null ? url : "https://" + listen, ca));
  }
}
