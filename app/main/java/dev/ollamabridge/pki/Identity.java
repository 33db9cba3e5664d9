package dev.ollamabridge.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A private key and the certificates that go with it, leaf first: what one end of a TLS connection
 * presents (the console's agent listener: [server, CA]; an agent: [its client certificate]).
 */
public record Identity(PrivateKey key, List<X509Certificate> chain) {

  public Identity {
    if (key == null || chain == null || chain.isEmpty()) {
      throw new IllegalArgumentException("an identity needs a key and at least one certificate");
    }
    chain = List.copyOf(chain);
  }

  /** The certificate of the key itself. */
  public X509Certificate certificate() {
    return chain.get(0);
  }
}
