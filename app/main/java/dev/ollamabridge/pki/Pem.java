package dev.ollamabridge.pki;

import dev.ollamabridge.logs.LogText;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Certificates, private keys and certificate requests to and from PEM text. Every input is bounded
 * and every failure is an {@link IllegalArgumentException} with a one-line reason: PEM comes from
 * files an operator may have edited and from the other end of the link.
 */
public final class Pem {

  /** The most PEM text read at once: a chain of a few certificates, or one key. */
  public static final int MAX_BYTES = 64 * 1024;
  /** The most a certificate request may be: a P-256 one is under 1 KiB, an RSA 4096 one under 3. */
  public static final int MAX_CSR_BYTES = 16 * 1024;

  private static final JcaX509CertificateConverter CERTIFICATES = new JcaX509CertificateConverter();
  private static final JcaPEMKeyConverter KEYS = new JcaPEMKeyConverter();

  private Pem() {}

  /** PEM of a certificate, a private key (PKCS#8) or a {@link PKCS10CertificationRequest}. */
  public static String encode(Object value) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(value instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  /** The first certificate in {@code pem}. */
  public static X509Certificate certificate(String pem) {
    return certificates(pem).get(0);
  }

  /** Every certificate in {@code pem}, in order; at least one. */
  public static List<X509Certificate> certificates(String pem) {
    List<X509Certificate> certificates = new ArrayList<>();
    try (PEMParser parser = parser(pem, MAX_BYTES, "certificate")) {
      for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
        if (!(item instanceof X509CertificateHolder holder)) {
          throw new IllegalArgumentException("expected a certificate in PEM, found " + what(item));
        }
        certificates.add(CERTIFICATES.getCertificate(holder));
      }
    } catch (IOException | CertificateException | RuntimeException e) {
      throw unreadable("certificate", e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("no certificate in the PEM text (BEGIN CERTIFICATE expected)");
    }
    return certificates;
  }

  /** The private key in {@code pem}: PKCS#8 ({@code PRIVATE KEY}) or OpenSSL's EC/RSA form. */
  public static PrivateKey privateKey(String pem) {
    try (PEMParser parser = parser(pem, MAX_BYTES, "private key")) {
      Object item = parser.readObject();
      if (item instanceof PrivateKeyInfo info) {
        return KEYS.getPrivateKey(info);
      }
      if (item instanceof PEMKeyPair pair) {
        return KEYS.getPrivateKey(pair.getPrivateKeyInfo());
      }
      throw new IllegalArgumentException("expected an unencrypted private key in PEM, found " + what(item));
    } catch (IOException | RuntimeException e) {
      throw unreadable("private key", e);
    }
  }

  /** The certificate request in {@code pem}; its signature is not checked here. */
  public static PKCS10CertificationRequest csr(String pem) {
    try (PEMParser parser = parser(pem, MAX_CSR_BYTES, "certificate request")) {
      Object item = parser.readObject();
      if (item instanceof PKCS10CertificationRequest request) {
        return request;
      }
      throw new IllegalArgumentException("expected a certificate request in PEM (BEGIN CERTIFICATE REQUEST), found " + what(item));
    } catch (IOException | RuntimeException e) {
      throw unreadable("certificate request", e);
    }
  }

  /** The text of a PEM file, refused when it is larger than any PEM file of ours can be. */
  public static String read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new IOException(file + ": larger than " + MAX_BYTES + " bytes, not a PEM file of ours");
      }
      return new String(bytes, StandardCharsets.US_ASCII);
    }
  }

  private static PEMParser parser(String pem, int maxBytes, String what) {
    if (pem == null || pem.isBlank()) {
      throw new IllegalArgumentException("the " + what + " is empty");
    }
    if (pem.length() > maxBytes) {
      throw new IllegalArgumentException("the " + what + " is larger than " + maxBytes + " bytes");
    }
    return new PEMParser(new StringReader(pem));
  }

  private static String what(Object item) {
    return item == null ? "none" : item.getClass().getSimpleName();
  }

  private static IllegalArgumentException unreadable(String what, Exception e) {
    if (e instanceof IllegalArgumentException refused && refused.getCause() == null) {
      return refused;
    }
    return new IllegalArgumentException("the " + what + " is not readable PEM: " + oneLine(e), e);
  }

  /** An exception's message as one printable line, for reasons that reach a user. */
  static String oneLine(Throwable e) {
    return LogText.oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), 200);
  }
}
