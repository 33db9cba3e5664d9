package dev.ollamabridge.agent;

import dev.ollamabridge.pki.Identity;
import dev.ollamabridge.pki.TlsContexts;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

/**
 * What an agent holds once it has joined: the host name the console gave it, its key and client
 * certificate, and the console's CA, the only one it trusts from now on.
 */
public record Enrolled(String host, Identity identity, X509Certificate ca) {

  /** Mutual TLS with the console: presents the host's certificate, trusts the console's CA alone. */
  public SSLContext sslContext() {
    return TlsContexts.client(identity, ca);
  }

  /** Trusts servers that the console's CA certified, and no other. */
  public X509TrustManager trustManager() {
    return TlsContexts.trusting(ca);
  }

  /** Makes {@code builder} speak mutual TLS with the console (for the link's WebSocket). */
  public OkHttpClient.Builder okHttp(OkHttpClient.Builder builder) {
    X509TrustManager trust = trustManager();
    return TlsContexts.okHttp(builder, TlsContexts.context(identity, trust), trust);
  }
}
