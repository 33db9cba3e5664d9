package dev.ollamabridge.pki;

import dev.ollamabridge.files.OwnerOnly;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The console's certificate authority: an EC P-256 key and a self-signed certificate in
 * {@code <dir>/ca.crt} and {@code ca.key} ({@code dir} 0700, the key 0600), made on first start.
 * It issues the server certificate of the agent listener and, at each join, the host's client
 * certificate. BouncyCastle builds the certificates; the JDK's own providers sign and verify.
 */
public final class CertificateAuthority {

  static final String SIGNATURE = "SHA256withECDSA";
  private static final Duration CA_VALIDITY = Duration.ofDays(3650);
  private static final Duration SERVER_VALIDITY = Duration.ofDays(730);
  /** A server certificate closer to its end than this is issued anew at start. */
  private static final Duration RENEW_BEFORE = Duration.ofDays(30);
  /** Clocks of the console and an agent may disagree a little; certificates start an hour back. */
  private static final Duration CLOCK_SKEW = Duration.ofHours(1);
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final PrivateKey key;
  private final X509Certificate certificate;

  private CertificateAuthority(Path dir, PrivateKey key, X509Certificate certificate) {
    this.dir = dir;
    this.key = key;
    this.certificate = certificate;
  }

  /**
   * The CA kept in {@code dir}, made there (key, self-signed certificate named {@code commonName},
   * valid ten years) when there is none yet.
   */
  public static CertificateAuthority openOrCreate(Path dir, String commonName) throws IOException {
    OwnerOnly.directory(dir);
    Path certificateFile = dir.resolve("ca.crt");
    Path keyFile = dir.resolve("ca.key");
    if (Files.exists(certificateFile)) {
      if (!Files.exists(keyFile)) {
        // a new CA would lock out every agent that joined: the operator must choose that knowingly
        throw new IOException(certificateFile + " is there but its key " + keyFile + " is not; restore the key, or remove "
            + certificateFile + " to make a new CA (every host must then join again)");
      }
      Identity ca;
      try {
        ca = new Identity(Pem.privateKey(Pem.read(keyFile)), List.of(Pem.certificate(Pem.read(certificateFile))));
      } catch (IllegalArgumentException e) {
        throw new IOException("the CA in " + dir + " is unreadable: " + e.getMessage(), e);
      }
      if (!ca.keyMatchesCertificate()) {
        throw new IOException(keyFile + " is not the key of " + certificateFile);
      }
      OwnerOnly.file(keyFile, false);
      return new CertificateAuthority(dir, ca.key(), ca.certificate());
    }
    KeyPair pair = CertificateRequests.newKeyPair();
    X500Name name = CertificateRequests.commonName(commonName);
    Instant now = Instant.now();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(CLOCK_SKEW)),
        Date.from(now.plus(CA_VALIDITY)), name, pair.getPublic());
    JcaX509ExtensionUtils extensions = extensionUtils();
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(pair.getPublic()));
    } catch (CertIOException e) {
      throw new IllegalStateException(e);
    }
    X509Certificate certificate = sign(builder, pair.getPrivate());
    // the key first: a certificate without its key would be taken for a whole CA at the next start
    OwnerOnly.writeString(keyFile, Pem.encode(pair.getPrivate()));
    OwnerOnly.writeString(certificateFile, Pem.encode(certificate));
    return new CertificateAuthority(dir, pair.getPrivate(), certificate);
  }

  /** The CA's certificate: the only one agents trust once they have joined. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The CA's fingerprint as the join command shows it: see {@link Fingerprints#of}. */
  public String fingerprint() {
    return Fingerprints.of(certificate);
  }

  /**
   * The key and chain [server, CA] of the agent listener, for the {@code names} agents dial it by
   * (DNS names or IP literals, IPv6 with or without brackets). Kept in {@code server.crt} and
   * {@code server.key}; issued anew (valid two years) when there is none, when its names differ from
   * {@code names}, when it comes from another CA, or when it ends within 30 days.
   */
  public synchronized Identity serverIdentity(List<String> names) throws IOException {
    ServerNames wanted = ServerNames.of(names);
    Path certificateFile = dir.resolve("server.crt");
    Path keyFile = dir.resolve("server.key");
    if (Files.exists(certificateFile) && Files.exists(keyFile)) {
      try {
        Identity kept = new Identity(Pem.privateKey(Pem.read(keyFile)), List.of(Pem.certificate(Pem.read(certificateFile)), certificate));
        if (kept.keyMatchesCertificate() && stillGood(kept.certificate(), wanted)) {
          return kept;
        }
      } catch (IllegalArgumentException unreadable) {
        // issued anew below
      }
    }
    KeyPair pair = CertificateRequests.newKeyPair();
    String commonName = names.get(0).strip();
    X509v3CertificateBuilder builder =
        issued(CertificateRequests.commonName(commonName), pair.getPublic(), SERVER_VALIDITY, KeyPurposeId.id_kp_serverAuth);
    try {
      builder.addExtension(Extension.subjectAlternativeName, false, wanted.subjectAltNames());
    } catch (CertIOException e) {
      throw new IllegalStateException(e);
    }
    X509Certificate server = sign(builder, key);
    OwnerOnly.writeString(keyFile, Pem.encode(pair.getPrivate()));
    OwnerOnly.writeString(certificateFile, Pem.encode(server));
    return new Identity(pair.getPrivate(), List.of(server, certificate));
  }

  /**
   * A client certificate for {@code host} from an agent's PKCS#10 request: CN = {@code host} (the
   * subject the request asks for is ignored), usable for TLS client authentication only, with a
   * random 128-bit serial, valid for {@code validity} (at most as long as the CA).
   *
   * @throws IllegalArgumentException with a one-line reason when the request is not PEM, larger than
   *     {@value Pem#MAX_CSR_BYTES} bytes, not signed by its own key, or its key is neither EC P-256
   *     nor RSA of 2048 to 8192 bits
   */
  public X509Certificate signClient(String csrPem, String host, Duration validity) {
    if (host == null || !HOST.matcher(host).matches()) {
      throw new IllegalArgumentException("host: 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    if (validity == null || validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("validity: must be positive");
    }
    PublicKey publicKey = CertificateRequests.verifiedKey(csrPem);
    return sign(issued(CertificateRequests.commonName(host), publicKey, validity, KeyPurposeId.id_kp_clientAuth), key);
  }

  private boolean stillGood(X509Certificate server, ServerNames wanted) {
    try {
      server.verify(certificate.getPublicKey());
      server.checkValidity(Date.from(Instant.now().plus(RENEW_BEFORE)));
      return wanted.sameAs(server);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** A certificate the CA issues, for one purpose (a TLS server or a TLS client), not a CA itself. */
  private X509v3CertificateBuilder issued(X500Name subject, PublicKey publicKey, Duration validity, KeyPurposeId purpose) {
    Instant now = Instant.now();
    Instant end = now.plus(validity);
    Instant caEnd = certificate.getNotAfter().toInstant();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
        Date.from(now.minus(CLOCK_SKEW)), Date.from(end.isAfter(caEnd) ? caEnd : end), subject, publicKey);
    JcaX509ExtensionUtils extensions = extensionUtils();
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(publicKey));
      builder.addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(certificate));
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return builder;
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) {
    try {
      return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a certificate: " + e.getMessage(), e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(128, RANDOM);
  }

  private static JcaX509ExtensionUtils extensionUtils() {
    try {
      return new JcaX509ExtensionUtils();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
