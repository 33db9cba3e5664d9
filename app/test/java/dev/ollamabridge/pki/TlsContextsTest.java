package dev.ollamabridge.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsContextsTest {

  @TempDir Path data;

  private CertificateAuthority ca;
  private CertificateAuthority otherCa;
  private TlsTestServer server;

  @BeforeEach
  void twoAuthorities() throws IOException {
    ca = CertificateAuthority.openOrCreate(data.resolve("console"), "console CA");
    otherCa = CertificateAuthority.openOrCreate(data.resolve("other"), "other CA");
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void anAgentWithACertificateOfTheCaIsSeenByItsHostName() throws IOException {
    server = TlsTestServer.whoami(TlsContexts.server(ca.serverIdentity(List.of("localhost", "127.0.0.1")), ca.certificate()));
    Identity agent = agent(ca, "h1");

    String seen = get(TlsContexts.context(agent, TlsContexts.trusting(ca.certificate())), TlsContexts.trusting(ca.certificate()));

    assertThat(seen).isEqualTo("h1");
  }

  @Test
  void theClientContextPresentsTheAgentAndTrustsTheCa() throws IOException {
    server = TlsTestServer.whoami(TlsContexts.server(ca.serverIdentity(List.of("127.0.0.1")), ca.certificate()));

    String seen = get(TlsContexts.client(agent(ca, "h2"), ca.certificate()), TlsContexts.trusting(ca.certificate()));

    assertThat(seen).isEqualTo("h2");
  }

  @Test
  void aClientWithoutACertificateIsServedWithoutAName() throws IOException {
    server = TlsTestServer.whoami(TlsContexts.server(ca.serverIdentity(List.of("127.0.0.1")), ca.certificate()));

    String seen = get(TlsContexts.context(null, TlsContexts.trusting(ca.certificate())), TlsContexts.trusting(ca.certificate()));

    assertThat(seen).as("a joining agent has no certificate yet").isEqualTo("none");
  }

  @Test
  void aClientCertificateOfAnotherCaIsRefused() throws Exception {
    server = TlsTestServer.whoami(TlsContexts.server(ca.serverIdentity(List.of("127.0.0.1")), ca.certificate()));
    Identity stranger = agent(otherCa, "h1");
    X509TrustManager trust = TlsContexts.trusting(ca.certificate());

    assertThat(get(presenting(agent(ca, "h1"), trust), trust)).as("the same client with a certificate of the CA").isEqualTo("h1");
    assertThatThrownBy(() -> get(presenting(stranger, trust), trust)).isInstanceOf(IOException.class);
    // the JDK's own key manager does not even offer it, since the server names the CAs it takes
    assertThat(get(TlsContexts.context(stranger, trust), trust)).isEqualTo("none");
  }

  @Test
  void anAgentTrustsNoServerOfAnotherCa() throws IOException {
    server = TlsTestServer.whoami(TlsContexts.server(otherCa.serverIdentity(List.of("127.0.0.1")), otherCa.certificate()));

    assertThatThrownBy(() -> get(TlsContexts.client(agent(ca, "h1"), ca.certificate()), TlsContexts.trusting(ca.certificate())))
        .isInstanceOf(IOException.class);
  }

  @Test
  void aPinnedFingerprintOfTheConsoleCaJoins() throws IOException {
    server = TlsTestServer.whoami(TlsContexts.server(ca.serverIdentity(List.of("127.0.0.1")), ca.certificate()));
    X509TrustManager pinned = TlsContexts.pinned(ca.fingerprint().toUpperCase().replace("SHA256:", "sha256:"));

    assertThat(get(TlsContexts.context(null, pinned), pinned)).isEqualTo("none");
  }

  @Test
  void aWrongPinnedFingerprintFailsTheHandshakeNamingBothFingerprints() throws IOException {
    server = TlsTestServer.whoami(TlsContexts.server(ca.serverIdentity(List.of("127.0.0.1")), ca.certificate()));
    X509TrustManager pinned = TlsContexts.pinned(otherCa.fingerprint());

    assertThatThrownBy(() -> get(TlsContexts.context(null, pinned), pinned))
        .isInstanceOf(IOException.class)
        .hasRootCauseInstanceOf(PinMismatch.class)
        .rootCause()
        .hasMessage("the console's CA is " + ca.fingerprint() + ", not " + otherCa.fingerprint() + " as --ca-sha256 says");
  }

  @Test
  void aServerThatShowsThePinnedCaButIsNotCertifiedByItIsRefused() throws Exception {
    Identity impostor = otherCa.serverIdentity(List.of("127.0.0.1"));
    server = TlsTestServer.whoami(presenting(new Identity(impostor.key(), List.of(impostor.certificate(), ca.certificate())),
        TlsContexts.trusting(otherCa.certificate())));
    X509TrustManager pinned = TlsContexts.pinned(ca.fingerprint());

    assertThatThrownBy(() -> get(TlsContexts.context(null, pinned), pinned))
        .isInstanceOf(IOException.class)
        .rootCause()
        .isInstanceOf(PinMismatch.class)
        .hasMessage("the console's certificate is not signed by the CA " + ca.fingerprint() + " that --ca-sha256 names");
  }

  @Test
  void theHostNameIsStillVerified() throws IOException {
    server = TlsTestServer.whoami(TlsContexts.server(ca.serverIdentity(List.of("console.example.test")), ca.certificate()));
    X509TrustManager pinned = TlsContexts.pinned(ca.fingerprint());

    assertThatThrownBy(() -> get(TlsContexts.context(null, pinned), pinned))
        .isInstanceOf(SSLPeerUnverifiedException.class)
        .hasMessageContaining("127.0.0.1");
  }

  private String get(SSLContext context, X509TrustManager trust) throws IOException {
    OkHttpClient http = TlsContexts.okHttp(new OkHttpClient.Builder(), context, trust)
        .callTimeout(Duration.ofSeconds(30))
        .build();
    try (Response response = http.newCall(new Request.Builder().url(server.url() + "/whoami").build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      return response.body().string();
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  private static Identity agent(CertificateAuthority ca, String host) {
    KeyPair key = CertificateRequests.newKeyPair();
    X509Certificate certificate = ca.signClient(CertificateRequests.pem(key, host), host, Duration.ofDays(1));
    return new Identity(key.getPrivate(), List.of(certificate));
  }

  /**
   * A context that presents {@code identity} as it is, to any peer: a client whatever CAs the server
   * says it takes, a server with a chain the JDK's key store would not hold, as a hostile end would.
   */
  private static SSLContext presenting(Identity identity, X509TrustManager trust) throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(new KeyManager[] {new Presents(identity)}, new TrustManager[] {trust}, null);
    return context;
  }

  private static final class Presents extends X509ExtendedKeyManager {

    private final Identity identity;

    Presents(Identity identity) {
      this.identity = identity;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return "agent";
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
      return "agent";
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return identity.chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return identity.key();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {"agent"};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return new String[] {"agent"};
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return "agent";
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return "agent";
    }
  }
}
