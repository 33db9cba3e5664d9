package dev.ollamabridge.pki;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The TLS of the agent link: the console's listener presents [server, CA] and wants client
 * certificates of its own CA; an agent presents its client certificate and trusts that CA alone;
 * before it has joined, an agent trusts only a server whose chain holds the CA it was told to pin.
 * The JDK's providers do the work (TLS 1.2 and 1.3; the JDK refuses older ones).
 */
public final class TlsContexts {

  /** The protocols of the link, for a server to enforce (the JDK's defaults already disable older ones). */
  public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private static final char[] NO_PASSWORD = new char[0];

  private TlsContexts() {}

  /** The agent listener's context: presents {@code identity}, trusts client certificates of {@code ca} only. */
  public static SSLContext server(Identity identity, X509Certificate ca) {
    return context(identity, trusting(ca));
  }

  /** An enrolled agent's context: presents its certificate, trusts servers certified by {@code ca} only. */
  public static SSLContext client(Identity agent, X509Certificate ca) {
    return context(agent, trusting(ca));
  }

  /** A trust manager that accepts a peer only with a chain that {@code ca}, and nothing else, anchors. */
  public static X509TrustManager trusting(X509Certificate ca) {
    try {
      KeyStore anchors = KeyStore.getInstance("PKCS12");
      anchors.load(null, null);
      anchors.setCertificateEntry("ca", ca);
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(anchors);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509TrustManager x509) {
          return x509;
        }
      }
      throw new IllegalStateException("the JDK's trust manager factory made no X509TrustManager");
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a trust manager: " + e.getMessage(), e);
    }
  }

  /**
   * A trust manager for joining: it accepts a server only when the chain the server presents holds a
   * CA certificate whose {@link Fingerprints#of fingerprint} is {@code fingerprint} and which signed
   * the server's certificate; otherwise the handshake fails with a {@link PinMismatch}.
   *
   * @param fingerprint {@code sha256:} and 64 hex digits, as {@link Fingerprints#parse} accepts it
   */
  public static X509TrustManager pinned(String fingerprint) {
    return new PinnedTrust(Fingerprints.parse(fingerprint));
  }

  /** A TLS context that presents {@code identity} (none when null) and trusts by {@code trust}. */
  public static SSLContext context(Identity identity, X509TrustManager trust) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(identity == null ? null : keyManagers(identity), new TrustManager[] {trust}, null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
    }
  }

  /**
   * Makes {@code builder} speak TLS 1.2/1.3 through {@code context}, trusting by {@code trust} (the
   * one {@code context} was built with). OkHttp's hostname verification stays on: the server's
   * certificate carries the names agents dial.
   */
  public static OkHttpClient.Builder okHttp(OkHttpClient.Builder builder, SSLContext context, X509TrustManager trust) {
    return builder.sslSocketFactory(context.getSocketFactory(), trust).connectionSpecs(List.of(ConnectionSpec.MODERN_TLS));
  }

  /**
   * The Jetty side of the agent listener: {@code context} (from {@link #server}), client certificates
   * wanted but not needed (a joining agent has none yet; the link checks for one), TLS 1.2/1.3 only.
   */
  public static SslContextFactory.Server jetty(SSLContext context) {
    SslContextFactory.Server factory = new SslContextFactory.Server();
    factory.setSslContext(context);
    factory.setWantClientAuth(true);
    factory.setIncludeProtocols(PROTOCOLS);
    return factory;
  }

  private static KeyManager[] keyManagers(Identity identity) throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("identity", identity.key(), NO_PASSWORD, identity.chain().toArray(Certificate[]::new));
    KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, NO_PASSWORD);
    return factory.getKeyManagers();
  }

  /** Trust on a pinned CA key, the way kubeadm's discovery-token-ca-cert-hash works. */
  private static final class PinnedTrust implements X509TrustManager {

    private final String fingerprint;

    PinnedTrust(String fingerprint) {
      this.fingerprint = fingerprint;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      if (chain == null || chain.length == 0) {
        throw new PinMismatch("the console presented no certificate, so its CA cannot be " + fingerprint + " as --ca-sha256 says");
      }
      X509Certificate leaf = chain[0];
      X509Certificate otherCa = null;
      for (X509Certificate certificate : chain) {
        if (certificate.getBasicConstraints() < 0) {
          continue;
        }
        if (Fingerprints.of(certificate).equals(fingerprint)) {
          try {
            leaf.verify(certificate.getPublicKey());
          } catch (GeneralSecurityException e) {
            throw new PinMismatch("the console's certificate is not signed by the CA " + fingerprint + " that --ca-sha256 names");
          }
          leaf.checkValidity();
          certificate.checkValidity();
          return;
        }
        if (otherCa == null) {
          otherCa = certificate;
        }
      }
      String theirs = Fingerprints.of(otherCa != null ? otherCa : chain[chain.length - 1]);
      throw new PinMismatch("the console's CA is " + theirs + ", not " + fingerprint + " as --ca-sha256 says");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("a pinned trust manager checks servers only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
