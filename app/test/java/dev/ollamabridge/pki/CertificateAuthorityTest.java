package dev.ollamabridge.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {

  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  @TempDir Path data;

  @Test
  void aNewCaIsAnOwnerOnlyEcP256CaValidForTenYears() throws Exception {
    Path dir = data.resolve("pki");

    CertificateAuthority ca = CertificateAuthority.openOrCreate(dir, "Ollama Bridge console CA");

    X509Certificate certificate = ca.certificate();
    assertThat(certificate.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(certificate.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(certificate.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(certificate.getSubjectX500Principal()).isEqualTo(certificate.getIssuerX500Principal());
    assertThat(CommonNames.of(certificate)).isEqualTo("Ollama Bridge console CA");
    certificate.verify(certificate.getPublicKey());
    assertThat(certificate.getNotAfter().toInstant()).isAfter(Instant.now().plus(3649, ChronoUnit.DAYS));
    assertThat(permissions(dir)).isEqualTo("rwx------");
    assertThat(permissions(dir.resolve("ca.key"))).isEqualTo("rw-------");
    assertThat(permissions(dir.resolve("ca.crt"))).isEqualTo("rw-------");
    assertThat(ca.fingerprint()).matches("sha256:[0-9a-f]{64}");
  }

  @Test
  void reopeningTheDirectoryGivesTheSameCa() throws Exception {
    CertificateAuthority first = CertificateAuthority.openOrCreate(data, "CA");

    CertificateAuthority again = CertificateAuthority.openOrCreate(data, "another name, not used");

    assertThat(again.certificate()).isEqualTo(first.certificate());
    assertThat(again.fingerprint()).isEqualTo(first.fingerprint());
  }

  @Test
  void aCaCertificateWithoutItsKeyIsNotReplacedSilently() throws Exception {
    CertificateAuthority.openOrCreate(data, "CA");
    Files.delete(data.resolve("ca.key"));

    assertThatThrownBy(() -> CertificateAuthority.openOrCreate(data, "CA"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("restore the key")
        .hasMessageNotContaining("\n");
  }

  @Test
  void theFingerprintIsWhatOpensslPrintsForTheCaPublicKey() throws Exception {
    CertificateAuthority ca = CertificateAuthority.openOrCreate(data, "CA");

    Process openssl = new ProcessBuilder("sh", "-c",
        "openssl x509 -pubkey -noout -in \"$1\" | openssl pkey -pubin -outform der | sha256sum", "sh",
        data.resolve("ca.crt").toString()).redirectErrorStream(true).start();
    String printed = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(openssl.exitValue()).as(printed).isZero();
    assertThat(ca.fingerprint()).isEqualTo("sha256:" + printed.strip().split("\\s+")[0]);
  }

  @Test
  void theServerCertificateNamesWhatAgentsDialAndIsKeptUntilTheNamesChange() throws Exception {
    CertificateAuthority ca = CertificateAuthority.openOrCreate(data, "CA");

    Identity server = ca.serverIdentity(List.of("console.example.test", "198.18.0.1", "[::1]", "fd00::1", "0:0:0:0:0:0:0:1"));

    X509Certificate certificate = server.certificate();
    assertThat(server.chain()).containsExactly(certificate, ca.certificate());
    certificate.verify(ca.certificate().getPublicKey());
    assertThat(certificate.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
        List.of(2, "console.example.test"), List.of(7, "198.18.0.1"), List.of(7, "0:0:0:0:0:0:0:1"), List.of(7, "fd00:0:0:0:0:0:0:1"));
    assertThat(certificate.getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
    assertThat(certificate.getBasicConstraints()).isEqualTo(-1);
    assertThat(certificate.getNotAfter().toInstant()).isAfter(Instant.now().plus(729, ChronoUnit.DAYS));
    assertThat(permissions(data.resolve("server.key"))).isEqualTo("rw-------");

    Identity reopened = CertificateAuthority.openOrCreate(data, "CA")
        .serverIdentity(List.of("fd00::1", "::1", "198.18.0.1", "CONSOLE.example.test"));
    assertThat(reopened.certificate()).as("the same names in another order and case").isEqualTo(certificate);
    assertThat(reopened.key()).isEqualTo(server.key());

    Identity renamed = ca.serverIdentity(List.of("console.example.test", "198.18.0.2"));
    assertThat(renamed.certificate()).isNotEqualTo(certificate);
    assertThat(renamed.certificate().getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(List.of(2, "console.example.test"), List.of(7, "198.18.0.2"));
  }

  @Test
  void aServerCertificateWhoseKeyWasReplacedIsIssuedAnew() throws Exception {
    CertificateAuthority ca = CertificateAuthority.openOrCreate(data, "CA");
    X509Certificate first = ca.serverIdentity(List.of("localhost")).certificate();
    Files.writeString(data.resolve("server.key"), Pem.encode(CertificateRequests.newKeyPair().getPrivate()));

    Identity server = ca.serverIdentity(List.of("localhost"));

    assertThat(server.certificate()).isNotEqualTo(first);
    assertThat(server.keyMatchesCertificate()).isTrue();
  }

  @Test
  void aServerCertificateThatEndsWithinThirtyDaysIsIssuedAnew() throws Exception {
    CertificateAuthority ca = CertificateAuthority.openOrCreate(data, "CA");
    KeyPair key = CertificateRequests.newKeyPair();
    Instant now = Instant.now();
    var builder = new JcaX509v3CertificateBuilder(ca.certificate(), BigInteger.TEN, Date.from(now.minus(Duration.ofDays(700))),
        Date.from(now.plus(Duration.ofDays(29))), CertificateRequests.commonName("localhost"), key.getPublic());
    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")));
    X509Certificate ending = new JcaX509CertificateConverter().getCertificate(builder.build(
        new JcaContentSignerBuilder("SHA256withECDSA").build(Pem.privateKey(Files.readString(data.resolve("ca.key"))))));
    Files.writeString(data.resolve("server.crt"), Pem.encode(ending));
    Files.writeString(data.resolve("server.key"), Pem.encode(key.getPrivate()));

    Identity server = ca.serverIdentity(List.of("localhost"));

    assertThat(server.certificate().getSerialNumber()).isNotEqualTo(BigInteger.TEN);
    assertThat(server.certificate().getNotAfter().toInstant()).isAfter(now.plus(Duration.ofDays(700)));
  }

  @Test
  void aServerCertificateOfAnotherCaIsIssuedAnew() throws Exception {
    CertificateAuthority.openOrCreate(data.resolve("old"), "old CA").serverIdentity(List.of("localhost"));
    Files.copy(data.resolve("old/server.crt"), Files.createDirectories(data.resolve("new")).resolve("server.crt"));
    Files.copy(data.resolve("old/server.key"), data.resolve("new/server.key"));
    CertificateAuthority ca = CertificateAuthority.openOrCreate(data.resolve("new"), "new CA");

    Identity server = ca.serverIdentity(List.of("localhost"));

    server.certificate().verify(ca.certificate().getPublicKey());
  }

  @Test
  void aMachineNameWithAnUnderscoreIsAServerName() throws Exception {
    Identity server = CertificateAuthority.openOrCreate(data, "CA").serverIdentity(List.of("gpu_box-1"));

    assertThat(server.certificate().getSubjectAlternativeNames()).containsExactly(List.of(2, "gpu_box-1"));
  }

  @Test
  void serverNamesThatAreNeitherDnsNamesNorAddressesAreRefused() throws Exception {
    CertificateAuthority ca = CertificateAuthority.openOrCreate(data, "CA");

    assertThatThrownBy(() -> ca.serverIdentity(List.of("bad name\nX-Injected: 1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("\n")
        .hasMessageContaining("not a DNS name or an IP address");
    assertThatThrownBy(() -> ca.serverIdentity(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aClientCertificateNamesTheHostGivenNotTheOneAsked() throws Exception {
    CertificateAuthority ca = CertificateAuthority.openOrCreate(data, "CA");
    KeyPair agent = CertificateRequests.newKeyPair();

    X509Certificate first = ca.signClient(CertificateRequests.pem(agent, "admin"), "h1", Duration.ofDays(365));
    X509Certificate second = ca.signClient(CertificateRequests.pem(agent, "h1"), "h1", Duration.ofDays(365));

    first.verify(ca.certificate().getPublicKey());
    assertThat(CommonNames.of(first)).isEqualTo("h1");
    assertThat(first.getPublicKey()).isEqualTo(agent.getPublic());
    assertThat(first.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
    assertThat(first.getBasicConstraints()).isEqualTo(-1);
    assertThat(first.getNotAfter().toInstant()).isBetween(Instant.now().plus(364, ChronoUnit.DAYS), Instant.now().plus(366, ChronoUnit.DAYS));
    assertThat(first.getSerialNumber().bitLength()).isBetween(64, 128);
    assertThat(first.getSerialNumber()).isNotEqualTo(second.getSerialNumber()).isGreaterThan(BigInteger.ZERO);
    assertThat(Fingerprints.ofCertificate(first)).matches("[0-9a-f]{64}").isNotEqualTo(Fingerprints.ofCertificate(second));
  }

  @Test
  void aClientCertificateNeverOutlivesTheCa() throws Exception {
    CertificateAuthority ca = CertificateAuthority.openOrCreate(data, "CA");

    X509Certificate certificate = ca.signClient(CertificateRequests.pem(CertificateRequests.newKeyPair(), "h1"), "h1", Duration.ofDays(36_500));

    assertThat(certificate.getNotAfter()).isEqualTo(ca.certificate().getNotAfter());
  }

  @Test
  void anRsaKeyOf2048BitsIsAccepted() throws Exception {
    CertificateAuthority ca = CertificateAuthority.openOrCreate(data, "CA");
    KeyPair rsa = rsa(2048);

    X509Certificate certificate = ca.signClient(CertificateRequests.pem(rsa, "h2"), "h2", Duration.ofDays(1));

    assertThat(certificate.getPublicKey()).isEqualTo(rsa.getPublic());
  }

  @Test
  void hostileRequestsAreRefusedWithOneLineReasons() throws Exception {
    CertificateAuthority ca = CertificateAuthority.openOrCreate(data, "CA");
    KeyPair agent = CertificateRequests.newKeyPair();
    String oversized = "-----BEGIN CERTIFICATE REQUEST-----\n"
        + Base64.getMimeEncoder().encodeToString(new byte[13 * 1024]) + "\n-----END CERTIFICATE REQUEST-----\n";

    assertRefused(ca, "garbage", "no certificate request in the PEM text");
    assertRefused(ca, "-----BEGIN CERTIFICATE REQUEST-----\nMIIBAAAA\n-----END CERTIFICATE REQUEST-----\n", "not readable PEM");
    assertRefused(ca, "", "empty");
    assertRefused(ca, oversized, "larger than 16384 bytes");
    assertRefused(ca, Pem.encode(ca.certificate()), "expected a certificate request");
    assertRefused(ca, signedBy(agent, CertificateRequests.newKeyPair()), "signature does not match its key");
    assertRefused(ca, CertificateRequests.pem(rsa(1024), "h1"), "RSA key must have 2048 to 8192 bits, not 1024");
    assertRefused(ca, CertificateRequests.pem(ec("secp384r1"), "h1"), "P-256");
    assertThatThrownBy(() -> ca.signClient(CertificateRequests.pem(agent, "h1"), "h1\nCN=admin", Duration.ofDays(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("host:");
  }

  private static void assertRefused(CertificateAuthority ca, String csr, String reason) {
    assertThatThrownBy(() -> ca.signClient(csr, "h1", Duration.ofDays(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(reason)
        .hasMessageNotContaining("\n");
  }

  /** A request for {@code subject}'s key with a signature made by {@code signer}: a forgery. */
  private static String signedBy(KeyPair subject, KeyPair signer) throws Exception {
    return Pem.encode(new JcaPKCS10CertificationRequestBuilder(CertificateRequests.commonName("h1"), subject.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  private static KeyPair rsa(int bits) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(bits);
    return generator.generateKeyPair();
  }

  private static KeyPair ec(String curve) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec(curve));
    return generator.generateKeyPair();
  }

  private static String permissions(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
