package dev.ollamabridge.pki;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * PKCS#10 certificate requests: an agent makes an EC P-256 key and a request for it; the console
 * checks a request before its CA signs one.
 */
public final class CertificateRequests {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MIN_RSA_BITS = 2048;
  private static final int MAX_RSA_BITS = 8192;

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

  /**
   * The key of the request in {@code csrPem}, once the request is known to be signed by it and the
   * key to be one we accept: EC P-256, or RSA of 2048 to 8192 bits.
   *
   * @throws IllegalArgumentException with a one-line reason (the text is bounded by {@link Pem#csr})
   */
  public static PublicKey verifiedKey(String csrPem) {
    PKCS10CertificationRequest request = Pem.csr(csrPem);
    PublicKey key = acceptedKey(request.getSubjectPublicKeyInfo());
    boolean valid;
    try {
      valid = request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key));
    } catch (OperatorCreationException | PKCSException | RuntimeException e) {
      throw new IllegalArgumentException("csr: its signature cannot be checked: " + Pem.oneLine(e), e);
    }
    if (!valid) {
      throw new IllegalArgumentException("csr: its signature does not match its key");
    }
    return key;
  }

  private static PublicKey acceptedKey(SubjectPublicKeyInfo info) {
    AlgorithmIdentifier algorithm = info.getAlgorithm();
    ASN1ObjectIdentifier type = algorithm.getAlgorithm();
    boolean ec = X9ObjectIdentifiers.id_ecPublicKey.equals(type);
    boolean rsa = PKCSObjectIdentifiers.rsaEncryption.equals(type);
    if (ec && !SECObjectIdentifiers.secp256r1.equals(algorithm.getParameters())) {
      throw new IllegalArgumentException("csr: an EC key must be on the P-256 curve");
    }
    if (!ec && !rsa) {
      throw new IllegalArgumentException("csr: the key must be EC P-256 or RSA, not " + type.getId());
    }
    PublicKey key;
    try {
      key = new JcaPEMKeyConverter().getPublicKey(info);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("csr: its key cannot be read: " + Pem.oneLine(e), e);
    }
    if (rsa) {
      int bits = ((RSAPublicKey) key).getModulus().bitLength();
      if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
        throw new IllegalArgumentException("csr: an RSA key must have " + MIN_RSA_BITS + " to " + MAX_RSA_BITS + " bits, not " + bits);
      }
    }
    return key;
  }

  static X500Name commonName(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
  }

  private static String signature(KeyPair key) {
    return "RSA".equals(key.getPrivate().getAlgorithm()) ? "SHA256withRSA" : CertificateAuthority.SIGNATURE;
  }
}
