package dev.ollamabridge.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** The keys and certificate requests of the agent side: an EC P-256 key, and a PKCS#10 request for it. */
public final class CertificateRequests {

  private static final SecureRandom RANDOM = new SecureRandom();

  private CertificateRequests() {}

  /** A new EC P-256 key pair, from the JDK's provider. */
  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
    }
  }

  /**
   * A PKCS#10 request in PEM for {@code key}, signed by it, asking for {@code commonName} (which the
   * console ignores: it names the host itself).
   */
  public static String pem(KeyPair key, String commonName) {
    try {
      var request = new JcaPKCS10CertificationRequestBuilder(commonName(commonName), key.getPublic())
          .build(new JcaContentSignerBuilder(signature(key)).build(key.getPrivate()));
      return Pem.encode(request);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign a certificate request: " + e.getMessage(), e);
    }
  }

  static X500Name commonName(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
  }

  private static String signature(KeyPair key) {
    return "RSA".equals(key.getPrivate().getAlgorithm()) ? "SHA256withRSA" : CertificateAuthority.SIGNATURE;
  }
}
