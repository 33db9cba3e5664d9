package dev.ollamabridge.pki;

import java.security.cert.CertificateException;

/**
 * The console presented a certificate the pinned CA fingerprint does not vouch for. Its message is
 * one line that names both fingerprints, fit to show the user who typed {@code --ca-sha256}.
 */
public final class PinMismatch extends CertificateException {

  public PinMismatch(String message) {
    super(message);
  }
}
