package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.testing.TestPorts;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx.tls_cert and nginx.tls_key name files under the directory the operator gave
 * ({@code --nginx-tls-dir}, else {@code <data>/tls}): a token holder picks among the operator's
 * certificates and keys, and cannot learn whether any other file exists.
 */
class TlsFilesTest {

  @TempDir Path data;
  @TempDir Path elsewhere;

  @Test
  void aFileOutsideTheTlsDirectoryGetsTheSameAnswerWhetherItExistsOrNot() throws Exception {
    Path exists = Files.writeString(elsewhere.resolve("key.pem"), "a key the console's user can read\n");
    try (ConsoleApp console = TestConsoles.start(data)) {
      ConsoleClient api = new ConsoleClient(console.port(), console.adminToken());

      ConsoleClient.Answer existing = api.patch("/settings", "{\"nginx.tls_key\":\"%s\"}".formatted(exists));
      ConsoleClient.Answer missing = api.patch("/settings", "{\"nginx.tls_key\":\"%s\"}".formatted(elsewhere.resolve("none.pem")));
      ConsoleClient.Answer rootOnly = api.patch("/settings", "{\"nginx.tls_key\":\"/etc/shadow\"}");

      assertThat(existing.status()).isEqualTo(400);
      assertThat(existing.field()).isEqualTo("nginx.tls_key");
      assertThat(existing.error()).contains(data.resolve("tls").toString(), "--nginx-tls-dir");
      assertThat(missing).as("a missing file answers as an existing one").isEqualTo(existing);
      assertThat(rootOnly).isEqualTo(existing);
      assertThat(api.get("/settings").body().path("nginx.tls_key").asText()).isEmpty();
      assertThat(api.get("/settings").body().path("nginx.tls_dir").asText()).isEqualTo(data.resolve("tls").toString());
    }
  }

  @Test
  void dotDotALinkOutAndAMissingFileInsideAreRefusedWithThatSameAnswer() throws Exception {
    try (ConsoleApp console = TestConsoles.start(data)) {
      ConsoleClient api = new ConsoleClient(console.port(), console.adminToken());
      Path tls = data.resolve("tls");
      Path outside = Files.writeString(elsewhere.resolve("cert.pem"), "x\n");
      Path link = Files.createSymbolicLink(tls.resolve("link.pem"), outside);
      Path directory = Files.createDirectories(tls.resolve("sub"));
      String expected = api.patch("/settings", "{\"nginx.tls_cert\":\"%s\"}".formatted(outside)).error();

      List<String> refused = new ArrayList<>();
      for (String value : List.of(tls + "/../console.db", tls + "/../tls/../admin-token", tls + "/./cert.pem",
          link.toString(), tls.resolve("missing.pem").toString(), directory.toString(), tls.toString(), "cert.pem",
          "../../etc/shadow", tls + "/cert.pem;")) {
        ConsoleClient.Answer answer = api.patch("/settings", "{\"nginx.tls_cert\":\"%s\"}".formatted(value));
        assertThat(answer.status()).as(value).isEqualTo(400);
        assertThat(answer.field()).as(value).isEqualTo("nginx.tls_cert");
        refused.add(answer.error());
      }

      assertThat(refused).as("one message, whatever the reason").containsOnly(expected);
      assertThat(api.get("/settings").body().path("nginx.tls_cert").asText()).isEmpty();
    }
  }

  @Test
  void theTlsDirectoryIsTheOperatorsAndAnUnreadableFileInItIsRefusedToo() throws Exception {
    Path tls = Files.createDirectories(elsewhere.resolve("certs"));
    Path unreadable = Files.writeString(tls.resolve("secret.pem"), "x\n");
    Files.setPosixFilePermissions(unreadable, PosixFilePermissions.fromString("---------"));
    try (ConsoleApp console = ConsoleApp.start(TestConsoles.offline(data).withOperator(Setting.NGINX_TLS_DIR, tls.toString()))) {
      ConsoleClient api = new ConsoleClient(console.port(), console.adminToken());

      ConsoleClient.Answer setDir = api.patch("/settings", "{\"nginx.tls_dir\":\"/\"}");
      ConsoleClient.Answer unreadableKey = api.patch("/settings", "{\"nginx.tls_key\":\"%s\"}".formatted(unreadable));

      assertThat(setDir.status()).isEqualTo(400);
      assertThat(setDir.error()).contains("--nginx-tls-dir", "OLLAMA_BRIDGE_NGINX_TLS_DIR");
      assertThat(api.get("/settings").body().path("nginx.tls_dir").asText()).isEqualTo(tls.toString());
      if (!"root".equals(System.getProperty("user.name"))) { // root reads any file
        assertThat(unreadableKey.status()).isEqualTo(400);
        assertThat(unreadableKey.error()).contains(tls.toString());
      }
    }
  }

  @Test
  void aValueStoredByAnOlderConsoleOutsideTheTlsDirectoryIsDroppedAtStart() throws Exception {
    Path cert = Files.writeString(elsewhere.resolve("cert.pem"), "x\n");
    try (ConsoleApp first = TestConsoles.start(data)) {
      // an older console stored any readable file
    }
    try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + data.resolve("console.db"));
        var insert = db.prepareStatement("INSERT INTO settings (key, value, updated_at) VALUES ('nginx.tls_cert', ?, 'then')")) {
      insert.setString(1, cert.toString());
      insert.executeUpdate();
    }

    try (ConsoleApp console = TestConsoles.start(data)) {
      ConsoleClient api = TestConsoles.client(console, data);

      assertThat(api.get("/settings").body().path("nginx.tls_cert").asText()).isEmpty();
    }
  }

  @Test
  void aCertificateAndKeyUnderTheTlsDirectoryAreAcceptedAndNginxServesTlsWithThem() throws Exception {
    Path tls = data.resolve("tls");
    Files.createDirectories(tls);
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=localhost", "-keyout", tls.resolve("key.pem").toString(), "-out", tls.resolve("cert.pem").toString())
        .redirectErrorStream(true).start();
    String made = new String(openssl.getInputStream().readAllBytes());
    assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(openssl.exitValue()).as(made).isZero();
    int tlsPort = TestPorts.listenPort();
    try (FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults());
        ManagedNginxFixture nginx = new ManagedNginxFixture(data)) {
      nginx.awaitHealthy(nginx.create("a", backend.baseUrl(), 1));
      nginx.awaitServing("a");

      ConsoleClient.Answer set = nginx.api.patch("/settings", "{\"nginx.tls_listen\":\"127.0.0.1:%d\",\"nginx.tls_cert\":\"%s\",\"nginx.tls_key\":\"%s\"}"
          .formatted(tlsPort, tls.resolve("cert.pem"), tls.resolve("key.pem")));

      assertThat(set.status()).as(String.valueOf(set.body())).isEqualTo(200);
      assertThat(nginx.appliedConfig()).contains("ssl_certificate " + tls.resolve("cert.pem") + ";");
      assertThat(handshake(tlsPort, tls.resolve("cert.pem"))).startsWith("HTTP/1.1 200");
    }
  }

  /** The status line of {@code /nginx-health} over TLS, trusting only this certificate. */
  private static String handshake(int port, Path certificate) throws Exception {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    try (InputStream in = Files.newInputStream(certificate)) {
      Certificate cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
      trusted.setCertificateEntry("nginx", cert);
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    try (Socket plain = new Socket("127.0.0.1", port);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", port, true)) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write("GET /nginx-health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes());
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes()).lines().findFirst().orElse("");
    }
  }
}
