package dev.ollamabridge.pki;

import dev.ollamabridge.logs.LogText;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.util.IPAddress;

/**
 * The names agents dial the console's agent listener by, as its certificate carries them: DNS names
 * and IP addresses (IPv6 with or without brackets). Compared as sets of canonical forms, so that
 * {@code ::1} and {@code 0:0:0:0:0:0:0:1}, or names in another order or case, are the same names.
 */
record ServerNames(Set<String> canonical, GeneralNames subjectAltNames) {

  /** Labels of letters, digits and inner hyphens; underscores too, which some machines' names carry. */
  private static final Pattern DNS_NAME = Pattern.compile(
      "(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*");

  /** The names given, or an {@link IllegalArgumentException} naming the first that is neither kind. */
  static ServerNames of(List<String> names) {
    if (names == null || names.isEmpty()) {
      throw new IllegalArgumentException("the agent listener's certificate needs at least one name");
    }
    Set<String> canonical = new LinkedHashSet<>();
    List<GeneralName> general = new ArrayList<>();
    for (String raw : names) {
      String name = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
      if (name.startsWith("[") && name.endsWith("]")) {
        name = name.substring(1, name.length() - 1);
      }
      if (IPAddress.isValid(name)) {
        InetAddress address = literal(name);
        if (canonical.add("ip:" + address.getHostAddress())) {
          general.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(address.getAddress())));
        }
      } else if (DNS_NAME.matcher(name).matches()) {
        if (canonical.add("dns:" + name)) {
          general.add(new GeneralName(GeneralName.dNSName, name));
        }
      } else {
        throw new IllegalArgumentException("agent listener name '" + LogText.oneLine(String.valueOf(raw), 100)
            + "': not a DNS name or an IP address");
      }
    }
    return new ServerNames(Set.copyOf(canonical), new GeneralNames(general.toArray(GeneralName[]::new)));
  }

  /** Whether {@code certificate} carries exactly these names. */
  boolean sameAs(X509Certificate certificate) {
    Set<String> theirs = new LinkedHashSet<>();
    try {
      Collection<List<?>> all = certificate.getSubjectAlternativeNames();
      for (List<?> name : all == null ? List.<List<?>>of() : all) {
        String value = String.valueOf(name.get(1));
        theirs.add((Integer) name.get(0) == GeneralName.iPAddress
            ? "ip:" + literal(value).getHostAddress() : "dns:" + value.toLowerCase(Locale.ROOT));
      }
    } catch (CertificateParsingException | IllegalArgumentException e) {
      return false;
    }
    return theirs.equals(canonical);
  }

  /** An IP literal as an address; never a DNS lookup, since only literals reach here. */
  private static InetAddress literal(String ip) {
    try {
      return InetAddress.getByName(ip);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + ip, e);
    }
  }
}
