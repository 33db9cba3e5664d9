package dev.ollamabridge.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.files.OwnerOnly;
import dev.ollamabridge.link.JoinAnswer;
import dev.ollamabridge.link.JoinRequest;
import dev.ollamabridge.link.LinkPaths;
import dev.ollamabridge.pki.CertificateAuthority;
import dev.ollamabridge.pki.CertificateRequests;
import dev.ollamabridge.pki.CommonNames;
import dev.ollamabridge.pki.Pem;
import dev.ollamabridge.pki.TlsContexts;
import dev.ollamabridge.pki.TlsTestServer;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent joins a real HTTPS server that answers the join as the console does. */
class EnrolmentTest {

  private static final String TOKEN = "jt_good";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path console;
  @TempDir Path agentData;

  private CertificateAuthority ca;
  private TlsTestServer server;
  private final List<JoinRequest> joins = new CopyOnWriteArrayList<>();
  private final List<String> versions = new CopyOnWriteArrayList<>();

  @BeforeEach
  void aConsoleThatAnswersJoins() throws IOException {
    ca = CertificateAuthority.openOrCreate(console.resolve("pki"), "console CA");
    server = TlsTestServer.start(TlsContexts.server(ca.serverIdentity(List.of("127.0.0.1")), ca.certificate()), routes -> {
      routes.post(LinkPaths.JOIN, ctx -> {
        JoinRequest join = JSON.readValue(ctx.body(), JoinRequest.class);
        joins.add(join);
        versions.add(ctx.header(LinkPaths.VERSION_HEADER));
        if (!TOKEN.equals(join.token())) {
          ctx.status(403).json(Map.of("error", "the join token was used already\n\u001b[31mforged: line"));
          return;
        }
        X509Certificate certificate = ca.signClient(join.csr(), "h1", Duration.ofDays(365));
        ctx.json(new JoinAnswer("h1", Pem.encode(certificate), Pem.encode(ca.certificate())));
      });
      routes.get("/whoami", ctx -> ctx.result(TlsTestServer.clientCommonName(ctx)));
    });
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void anAgentJoinsKeepsItsCredentialsOwnerOnlyAndTalksMutualTls() throws IOException {
    Enrolled enrolled = Enrolment.ensure(agentData, server.url(), TOKEN, ca.fingerprint(), "198.18.0.5");

    assertThat(enrolled.host()).isEqualTo("h1");
    assertThat(CommonNames.of(enrolled.identity().certificate())).isEqualTo("h1");
    assertThat(enrolled.ca()).isEqualTo(ca.certificate());
    assertThat(joins).singleElement().satisfies(join -> {
      assertThat(join.advertise()).isEqualTo("198.18.0.5");
      assertThat(join.version()).isNotBlank();
    });
    assertThat(versions).singleElement().isNotNull();
    Path pki = agentData.resolve("pki");
    assertThat(permissions(pki)).isEqualTo("rwx------");
    for (String file : List.of("agent.key", "agent.crt", "ca.crt")) {
      assertThat(permissions(pki.resolve(file))).as(file).isEqualTo("rw-------");
    }
    assertThat(whoami(enrolled)).isEqualTo("h1");
  }

  @Test
  void anAgentThatHasJoinedLoadsItsCredentialsWithoutAskingTheConsole() throws IOException {
    Enrolled first = Enrolment.ensure(agentData, server.url(), TOKEN, ca.fingerprint(), "198.18.0.5");

    Enrolled again = Enrolment.ensure(agentData, server.url(), null, null, null);

    assertThat(joins).hasSize(1);
    assertThat(again.host()).isEqualTo("h1");
    assertThat(again.identity().certificate()).isEqualTo(first.identity().certificate());
    assertThat(again.ca()).isEqualTo(ca.certificate());
    assertThat(whoami(again)).isEqualTo("h1");
  }

  @Test
  void keptCredentialsThatDoNotBelongTogetherAreNotUsed() throws IOException {
    Enrolment.ensure(agentData, server.url(), TOKEN, ca.fingerprint(), "198.18.0.5");
    OwnerOnly.writeString(agentData.resolve("pki/agent.key"), Pem.encode(CertificateRequests.newKeyPair().getPrivate()));

    assertThatThrownBy(() -> Enrolment.ensure(agentData, server.url(), TOKEN, ca.fingerprint(), "198.18.0.5"))
        .isInstanceOf(EnrolmentException.class)
        .hasMessageContaining("is not the key of")
        .hasMessageContaining("join again")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aWrongFingerprintIsRefusedBeforeTheTokenIsSent() throws IOException {
    String wrong = CertificateAuthority.openOrCreate(console.resolve("other"), "other CA").fingerprint();

    assertThatThrownBy(() -> Enrolment.ensure(agentData, server.url(), TOKEN, wrong, "198.18.0.5"))
        .isInstanceOf(EnrolmentException.class)
        .hasMessage("the console's CA is " + ca.fingerprint() + ", not " + wrong + " as --ca-sha256 says");
    assertThat(joins).isEmpty();
    assertThat(agentData.resolve("pki")).doesNotExist();
  }

  @Test
  void theConsolesRefusalIsShownAsOnePrintableLine() {
    assertThatThrownBy(() -> Enrolment.ensure(agentData, server.url(), "jt_used", ca.fingerprint(), "198.18.0.5"))
        .isInstanceOf(EnrolmentException.class)
        .hasMessageStartingWith("the console at 127.0.0.1:" + server.port() + " refused the join: the join token was used already")
        .hasMessageEndingWith("(HTTP 403)")
        .hasMessageNotContaining("\n")
        .hasMessageNotContaining("\u001b");
    assertThat(agentData.resolve("pki")).doesNotExist();
  }

  @Test
  void plainHttpIsRefused() {
    assertThatThrownBy(() -> Enrolment.ensure(agentData, "http://127.0.0.1:" + server.port(), TOKEN, ca.fingerprint(), "198.18.0.5"))
        .isInstanceOf(EnrolmentException.class)
        .hasMessage("--console: plain HTTP: the agent talks to the console only over TLS; give https://…");
    assertThat(joins).isEmpty();
  }

  @Test
  void aConsoleThatDoesNotAnswerIsNamed() {
    int nobody = TestPorts.listenPort();

    assertThatThrownBy(() -> Enrolment.ensure(agentData, "https://127.0.0.1:" + nobody, TOKEN, ca.fingerprint(), "198.18.0.5"))
        .isInstanceOf(EnrolmentException.class)
        .hasMessageStartingWith("cannot reach the console at 127.0.0.1:" + nobody + ": ")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aMissingTokenOrAMalformedFingerprintIsRefusedNamingTheFlag() {
    assertThatThrownBy(() -> Enrolment.ensure(agentData, server.url(), " ", ca.fingerprint(), "198.18.0.5"))
        .isInstanceOf(EnrolmentException.class).hasMessageStartingWith("--join: ");
    assertThatThrownBy(() -> Enrolment.ensure(agentData, server.url(), TOKEN, "sha256:abc", "198.18.0.5"))
        .isInstanceOf(EnrolmentException.class).hasMessageStartingWith("--ca-sha256 ");
    assertThatThrownBy(() -> Enrolment.ensure(agentData, server.url(), TOKEN, ca.fingerprint(), ""))
        .isInstanceOf(EnrolmentException.class).hasMessageStartingWith("--advertise: ");
    assertThat(joins).isEmpty();
  }

  private String whoami(Enrolled enrolled) throws IOException {
    OkHttpClient http = enrolled.okHttp(new OkHttpClient.Builder()).callTimeout(Duration.ofSeconds(30)).build();
    try (Response response = http.newCall(new Request.Builder().url(server.url() + "/whoami").build()).execute()) {
      return response.body().string();
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  private static String permissions(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
