package dev.ollamabridge.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ollamabridge.cli.Version;
import dev.ollamabridge.files.OwnerOnly;
import dev.ollamabridge.link.JoinAnswer;
import dev.ollamabridge.link.JoinRequest;
import dev.ollamabridge.link.LinkPaths;
import dev.ollamabridge.logs.LogText;
import dev.ollamabridge.pki.CertificateRequests;
import dev.ollamabridge.pki.CommonNames;
import dev.ollamabridge.pki.Fingerprints;
import dev.ollamabridge.pki.Identity;
import dev.ollamabridge.pki.Pem;
import dev.ollamabridge.pki.PinMismatch;
import dev.ollamabridge.pki.TlsContexts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509TrustManager;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The agent's side of joining, the kubeadm way: with the one-time token and the console CA's
 * fingerprint from the Hosts page, it makes a key, sends a certificate request over TLS that trusts
 * only a server certified by that CA, and keeps the client certificate and CA it gets back in
 * {@code <agent data>/pki/} (0600). Once that is there, it is used and the console is not asked
 * again.
 */
public final class Enrolment {

  /** The most of the console's answer read: a certificate, the CA and a host name fit in a few KiB. */
  private static final int MAX_ANSWER_BYTES = 64 * 1024;
  private static final int MAX_REASON_CHARS = 300;
  private static final MediaType JSON = MediaType.get("application/json");
  private static final ObjectMapper MAPPER =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private Enrolment() {}

  /** Where the agent keeps its key, certificate and the console's CA. */
  public static Path pkiDir(Path agentData) {
    return agentData.resolve("pki");
  }

  /**
   * The agent's credentials: those of an earlier join when {@code <agentData>/pki/} holds them (the
   * other arguments are then not used), else those of a join made now.
   *
   * @param consoleUrl {@code https://HOST:PORT} of the console's agent listener
   * @param joinToken the one-time token of the console's Add host
   * @param caSha256 the console CA's fingerprint, {@code sha256:} and 64 hex digits
   * @param advertise the address nginx and the console reach this host's bridges at
   * @throws EnrolmentException with a one-line reason when the join is refused or fails, or the kept
   *     credentials cannot be used
   */
  public static Enrolled ensure(Path agentData, String consoleUrl, String joinToken, String caSha256, String advertise) {
    Path pki = pkiDir(agentData);
    if (Files.exists(pki.resolve("agent.crt")) && Files.exists(pki.resolve("agent.key")) && Files.exists(pki.resolve("ca.crt"))) {
      return load(pki);
    }
    HttpUrl console = consoleUrl(consoleUrl);
    if (joinToken == null || joinToken.isBlank()) {
      throw new EnrolmentException("--join: this host has not joined yet, so it needs the join token the console's Add host shows");
    }
    if (advertise == null || advertise.isBlank()) {
      throw new EnrolmentException("--advertise: the address the console and nginx reach this host's bridges at is needed to join");
    }
    String pin;
    try {
      pin = Fingerprints.parse(caSha256);
    } catch (IllegalArgumentException e) {
      throw new EnrolmentException(e.getMessage());
    }
    KeyPair key = CertificateRequests.newKeyPair();
    JoinAnswer answer = join(console, new JoinRequest(joinToken.strip(), advertise.strip(), Version.current(),
        CertificateRequests.pem(key, "ollama-bridge agent")), pin);
    Enrolled enrolled = accept(answer, key, pin);
    store(pki, enrolled);
    return enrolled;
  }

  /** The credentials of an earlier join, checked to belong together. */
  static Enrolled load(Path pki) {
    try {
      X509Certificate certificate = Pem.certificate(Pem.read(pki.resolve("agent.crt")));
      PrivateKey key = Pem.privateKey(Pem.read(pki.resolve("agent.key")));
      X509Certificate ca = Pem.certificate(Pem.read(pki.resolve("ca.crt")));
      certificate.verify(ca.getPublicKey());
      Identity identity = new Identity(key, List.of(certificate));
      if (!identity.keyMatchesCertificate()) {
        throw new EnrolmentException(pki.resolve("agent.key") + " is not the key of " + pki.resolve("agent.crt")
            + "; remove " + pki + " and join again");
      }
      return new Enrolled(CommonNames.of(certificate), identity, ca);
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new EnrolmentException("cannot use the credentials in " + pki + " (" + LogText.oneLine(String.valueOf(e.getMessage()), 200)
          + "); remove it and join again", e);
    }
  }

  private static HttpUrl consoleUrl(String consoleUrl) {
    String url = consoleUrl == null ? "" : consoleUrl.strip();
    if (url.toLowerCase(Locale.ROOT).startsWith("http://")) {
      throw new EnrolmentException("--console: plain HTTP: the agent talks to the console only over TLS; give https://…");
    }
    HttpUrl parsed = HttpUrl.parse(url);
    if (parsed == null || !parsed.isHttps()) {
      throw new EnrolmentException("--console: give the console's agent listener as https://HOST:PORT, not '"
          + LogText.oneLine(url, 100) + "'");
    }
    return parsed;
  }

  private static JoinAnswer join(HttpUrl console, JoinRequest join, String pin) {
    X509TrustManager pinned = TlsContexts.pinned(pin);
    OkHttpClient http = TlsContexts.okHttp(new OkHttpClient.Builder(), TlsContexts.context(null, pinned), pinned)
        .connectTimeout(Duration.ofSeconds(10))
        .callTimeout(Duration.ofSeconds(30))
        .followRedirects(false)
        .followSslRedirects(false)
        .build();
    String where = console.host() + ":" + console.port();
    Request request;
    try {
      request = new Request.Builder()
          .url(console.resolve(LinkPaths.JOIN))
          .header(LinkPaths.VERSION_HEADER, Version.current())
          .post(RequestBody.create(MAPPER.writeValueAsBytes(join), JSON))
          .build();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    try (Response response = http.newCall(request).execute()) {
      byte[] body = bounded(response.body());
      if (!response.isSuccessful()) {
        throw new EnrolmentException("the console at " + where + " refused the join: " + reason(response.code(), body));
      }
      try {
        return MAPPER.readValue(body, JoinAnswer.class);
      } catch (IOException e) {
        throw new EnrolmentException("the console at " + where + " answered the join with no JoinAnswer: "
            + LogText.oneLine(String.valueOf(e.getMessage()), 200), e);
      }
    } catch (IOException e) {
      PinMismatch mismatch = find(e, PinMismatch.class);
      if (mismatch != null) {
        throw new EnrolmentException(mismatch.getMessage(), e);
      }
      if (find(e, SSLException.class) != null) {
        throw new EnrolmentException("TLS with the console at " + where + " failed: " + LogText.oneLine(String.valueOf(e.getMessage()), 200), e);
      }
      throw new EnrolmentException("cannot reach the console at " + where + ": " + LogText.oneLine(String.valueOf(e.getMessage()), 200), e);
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  /** The console's answer checked against what we asked for and the CA we pinned. */
  private static Enrolled accept(JoinAnswer answer, KeyPair key, String pin) {
    if (answer == null || answer.certificate() == null || answer.ca() == null) {
      throw new EnrolmentException("the console's answer to the join has no certificate or no CA");
    }
    X509Certificate certificate;
    X509Certificate ca;
    try {
      certificate = Pem.certificate(answer.certificate());
      ca = Pem.certificate(answer.ca());
    } catch (IllegalArgumentException e) {
      throw new EnrolmentException("the console's answer to the join: " + e.getMessage(), e);
    }
    if (!Fingerprints.of(ca).equals(pin)) {
      throw new EnrolmentException("the console's answer names the CA " + Fingerprints.of(ca) + ", not " + pin + " as --ca-sha256 says");
    }
    if (!Arrays.equals(certificate.getPublicKey().getEncoded(), key.getPublic().getEncoded())) {
      throw new EnrolmentException("the certificate the console answered with is not for this agent's key");
    }
    try {
      certificate.verify(ca.getPublicKey());
      certificate.checkValidity();
    } catch (GeneralSecurityException e) {
      throw new EnrolmentException("the certificate the console answered with is not valid under its CA: "
          + LogText.oneLine(String.valueOf(e.getMessage()), 200), e);
    }
    String host = CommonNames.of(certificate);
    if (host.isEmpty() || (answer.host() != null && !answer.host().equals(host))) {
      throw new EnrolmentException("the console's answer names the host '" + LogText.oneLine(String.valueOf(answer.host()), 100)
          + "' but certifies '" + LogText.oneLine(host, 100) + "'");
    }
    return new Enrolled(host, new Identity(key.getPrivate(), List.of(certificate)), ca);
  }

  /** The key and CA first, the certificate last: an agent that finds all three finds a whole set. */
  private static void store(Path pki, Enrolled enrolled) {
    try {
      OwnerOnly.directory(pki);
      OwnerOnly.writeString(pki.resolve("agent.key"), Pem.encode(enrolled.identity().key()));
      OwnerOnly.writeString(pki.resolve("ca.crt"), Pem.encode(enrolled.ca()));
      OwnerOnly.writeString(pki.resolve("agent.crt"), Pem.encode(enrolled.identity().certificate()));
    } catch (IOException e) {
      throw new EnrolmentException("joined, but cannot store the credentials in " + pki + ": " + e.getMessage(), e);
    }
  }

  private static byte[] bounded(ResponseBody body) throws IOException {
    try (InputStream in = body.byteStream()) {
      return in.readNBytes(MAX_ANSWER_BYTES);
    }
  }

  /** The console's {@code {"error": "..."}} as one printable line, or the status when there is none. */
  private static String reason(int status, byte[] body) {
    try {
      JsonNode error = MAPPER.readTree(body).path("error");
      if (error.isTextual() && !error.asText().isBlank()) {
        return LogText.oneLine(error.asText().strip(), MAX_REASON_CHARS) + " (HTTP " + status + ")";
      }
    } catch (IOException | RuntimeException notJson) {
      // the status says what there is to say
    }
    return "HTTP " + status;
  }

  /** The first of {@code type} among {@code e}, its causes and what was suppressed along them. */
  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    Deque<Throwable> todo = new ArrayDeque<>(List.of(e));
    Set<Throwable> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      Throwable next = todo.poll();
      if (!seen.add(next)) {
        continue;
      }
      if (type.isInstance(next)) {
        return type.cast(next);
      }
      if (next.getCause() != null) {
        todo.add(next.getCause());
      }
      todo.addAll(Arrays.asList(next.getSuppressed()));
    }
    return null;
  }
}
