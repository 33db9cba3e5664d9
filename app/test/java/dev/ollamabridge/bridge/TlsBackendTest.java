package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.ollamabridge.Main;
import dev.ollamabridge.testing.TestPorts;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An https:// backend, as a hosted API is: the bridge's data path speaks TLS to it, trusting only
 * what the JDK's trust store holds and checking that the certificate names the backend. The bridge
 * runs as its command line starts it, told of a test authority through the JDK's own
 * {@code javax.net.ssl.trustStore}.
 */
class TlsBackendTest {

  private static final String PASSWORD = "changeit";
  private static final String ANSWER = """
      {"model":"fake-llama","created_at":"2026-12-07T00:00:00Z","message":{"role":"assistant","content":"over TLS"},\
      "done":true,"done_reason":"stop","prompt_eval_count":3,"eval_count":2}""";

  @TempDir Path dir;
  private HttpsServer backend;
  private Process bridge;

  @AfterEach
  void stop() throws InterruptedException {
    if (bridge != null) {
      bridge.destroy();
      bridge.waitFor(30, TimeUnit.SECONDS);
    }
    if (backend != null) {
      backend.stop(0);
    }
  }

  @Test
  void aBackendOverTlsAnswersThroughTheBridgeAndOneWhoseNameTheCertificateLacksDoesNot() throws Exception {
    Path keys = dir.resolve("backend.p12");
    Path trust = dir.resolve("trust.p12");
    keytool("-genkeypair", "-alias", "backend", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", keys.toString(),
        "-storepass", PASSWORD);
    Path cert = dir.resolve("backend.crt");
    keytool("-exportcert", "-alias", "backend", "-keystore", keys.toString(), "-storepass", PASSWORD, "-rfc",
        "-file", cert.toString());
    keytool("-importcert", "-noprompt", "-alias", "test-authority", "-file", cert.toString(), "-storetype", "PKCS12",
        "-keystore", trust.toString(), "-storepass", PASSWORD);
    backend = httpsBackend(keys);
    int port = backend.getAddress().getPort();

    // the certificate names localhost: the bridge reaches the backend by that name
    String base = startBridge(trust, "https://localhost:" + port);
    try (Response answer = TestBridges.execute(new Request.Builder().url(base + "/v1/chat/completions")
        .post(okhttp3.RequestBody.create("{\"model\":\"fake-llama\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            okhttp3.MediaType.get("application/json"))).build())) {
      assertThat(answer.code()).isEqualTo(200);
      assertThat(TestBridges.json(answer.body().string()).at("/choices/0/message/content").asText()).isEqualTo("over TLS");
    }
    bridge.destroy();
    bridge.waitFor(30, TimeUnit.SECONDS);

    // by its address, which the certificate does not name: refused, as a hostile backend would be
    String byAddress = startBridge(trust, "https://127.0.0.1:" + port);
    try (Response refused = TestBridges.execute(new Request.Builder().url(byAddress + "/api/chat")
        .post(okhttp3.RequestBody.create("{\"model\":\"fake-llama\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            okhttp3.MediaType.get("application/json"))).build())) {
      assertThat(refused.code()).isEqualTo(502);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> logOf(byAddress), log -> log.contains("is unreachable"));
    assertThat(logOf(byAddress)).contains("subject alternative names");
  }

  private String logOf(String base) throws IOException {
    return Files.readString(dir.resolve("bridge-" + base.substring(base.lastIndexOf(':') + 1) + ".log"));
  }

  /** A bridge process in front of {@code upstream}, trusting what {@code trust} holds; its base URL once it answers. */
  private String startBridge(Path trust, String upstream) throws IOException {
    int port = TestPorts.listenPort();
    bridge = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djavax.net.ssl.trustStore=" + trust, "-Djavax.net.ssl.trustStorePassword=" + PASSWORD,
        "-Djavax.net.ssl.trustStoreType=PKCS12",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "bridge", "-l", "127.0.0.1:" + port,
        "--ollama", upstream, "--retries", "0")
        .redirectErrorStream(true).redirectOutput(dir.resolve("bridge-" + port + ".log").toFile()).start();
    String base = "http://127.0.0.1:" + port;
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
      try (Response ready = TestBridges.execute(new Request.Builder().url(base + "/").build())) {
        return ready.code() == 200;
      }
    });
    return base;
  }

  /** An https server whose {@code /api/chat} answers one whole Ollama chat. */
  private static HttpsServer httpsBackend(Path keys) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(keys.toFile())) {
      store.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    managers.init(store, PASSWORD.toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(managers.getKeyManagers(), null, null);
    HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext("/api/chat", exchange -> {
      exchange.getRequestBody().readAllBytes();
      byte[] body = ANSWER.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return server;
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("keytool %s: %s", args[0], output).isZero();
  }
}
