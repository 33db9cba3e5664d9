package dev.ollamabridge.pki;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
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

  /**
   * Whether the key is the one the certificate was issued for (files edited or mixed up by hand are
   * not): a probe signed with the key and checked with the certificate's public key.
   */
  public boolean keyMatchesCertificate() {
    String algorithm = "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
    byte[] probe = "ollama-bridge key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate().getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
