package dev.ollamabridge.http;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which addresses an outgoing connection may reach. {@link CheckedSockets} asks it about the very
 * address a socket is about to connect to, so neither a name that resolves differently the second
 * time, nor a redirect, nor an IP literal in an unusual spelling ({@code 2130706433},
 * {@code [::ffff:127.0.0.1]}) gets past it.
 */
@FunctionalInterface
public interface AddressPolicy {

  boolean allows(InetSocketAddress address);

  /**
   * Public unicast addresses only: never loopback, private (RFC 1918, IPv6 unique-local),
   * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast, unspecified
   * ({@code 0.0.0.0} reaches the local host), documentation, benchmarking or reserved ranges; for
   * IPv6, only global unicast (2000::/3), which leaves out IPv4-mapped, -compatible and NAT64 forms.
   */
  AddressPolicy PUBLIC_ONLY = address -> !address.isUnresolved() && Ranges.isPublic(address.getAddress());

  /** The special-purpose ranges of IANA's registries that a public service never lives in. */
  final class Ranges {

    private static final List<Range> NOT_PUBLIC_V4 = ranges(
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
        "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4");
    private static final Range GLOBAL_UNICAST_V6 = Range.parse("2000::/3");
    private static final List<Range> NOT_PUBLIC_V6 = ranges("2001::/23", "2001:db8::/32", "2002::/16", "3fff::/20");

    private Ranges() {}

    static boolean isPublic(InetAddress address) {
      byte[] bytes = address.getAddress();
      if (address instanceof Inet4Address) {
        return NOT_PUBLIC_V4.stream().noneMatch(range -> range.contains(bytes));
      }
      return GLOBAL_UNICAST_V6.contains(bytes) && NOT_PUBLIC_V6.stream().noneMatch(range -> range.contains(bytes));
    }

    private static List<Range> ranges(String... cidrs) {
      return Stream.of(cidrs).map(Range::parse).toList();
    }

    private record Range(byte[] prefix, int bits) {

      static Range parse(String cidr) {
        int slash = cidr.indexOf('/');
        try {
          // a literal: no name is looked up
          return new Range(InetAddress.getByName(cidr.substring(0, slash)).getAddress(),
              Integer.parseInt(cidr.substring(slash + 1)));
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException(cidr, e);
        }
      }

      boolean contains(byte[] address) {
        if (address.length != prefix.length) {
          return false;
        }
        for (int bit = 0; bit < bits; bit += 8) {
          int mask = bits - bit >= 8 ? 0xff : (0xff << (8 - (bits - bit))) & 0xff;
          if ((address[bit / 8] & mask) != (prefix[bit / 8] & mask)) {
            return false;
          }
        }
        return true;
      }
    }
  }
}
