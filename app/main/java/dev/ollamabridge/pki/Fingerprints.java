package dev.ollamabridge.pki;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/** The SHA-256 fingerprints by which people and programs name a certificate. */
public final class Fingerprints {

  private static final Pattern PINNED = Pattern.compile("sha256:[0-9a-f]{64}");

  private Fingerprints() {}

  /**
   * kubeadm's {@code discovery-token-ca-cert-hash}: {@code sha256:} and the lower-case hex of SHA-256
   * over the certificate's SubjectPublicKeyInfo DER. It names the key, so a CA re-issued with the
   * same key keeps it, and {@code openssl x509 -pubkey | openssl pkey -pubin -outform der | sha256sum}
   * prints it.
   */
  public static String of(X509Certificate certificate) {
    return "sha256:" + sha256(certificate.getPublicKey().getEncoded());
  }

  /**
   * The lower-case hex SHA-256 of the whole certificate's DER: one issued certificate (the console
   * keeps it per host, to recognise and revoke the one a host holds now).
   */
  public static String ofCertificate(X509Certificate certificate) {
    try {
      return sha256(certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("the certificate cannot be encoded: " + e.getMessage(), e);
    }
  }

  /**
   * A fingerprint in the form {@link #of} gives, as a user typed it (upper-case hex allowed, spaces
   * around it ignored), or an {@link IllegalArgumentException} saying what form it must have.
   */
  public static String parse(String typed) {
    String fingerprint = typed == null ? "" : typed.strip().toLowerCase(Locale.ROOT);
    if (!PINNED.matcher(fingerprint).matches()) {
      throw new IllegalArgumentException("--ca-sha256 must be sha256: and 64 hex digits, as the console's Add host shows it");
    }
    return fingerprint;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }
}
