package dev.ollamabridge.pki;

import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/** The CN of a certificate's subject: for a host's client certificate, the host's name. */
public final class CommonNames {

  private CommonNames() {}

  /** The subject's first CN, or {@code ""} when it has none. */
  public static String of(X509Certificate certificate) {
    X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    RDN[] names = subject.getRDNs(BCStyle.CN);
    return names.length == 0 ? "" : IETFUtils.valueToString(names[0].getFirst().getValue());
  }
}
