package dev.ollamabridge.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A listen address: {@code HOST:PORT}, {@code [IPv6]:PORT} or {@code :PORT} (all interfaces).
 * Port 0 asks the system for a free port.
 */
public record HostPort(String host, int port) {

  private static final Pattern HOSTNAME =
      Pattern.compile("(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  private static final Pattern IPV4 =
      Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern IPV6_CHARACTERS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  public HostPort {
    if (!isHost(host)) {
      throw new IllegalArgumentException("'" + host + "' is not a host name or IP address");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 0-65535");
    }
  }

  /**
   * Whether {@code host} is a host name (letters, digits and '-' in dot-separated labels, not all
   * digits), an IPv4 address, or an IPv6 address as {@link InetAddress} parses it (no zone, no DNS).
   */
  public static boolean isHost(String host) {
    if (host == null) {
      return false;
    }
    if (host.contains(":")) {
      return IPV6_CHARACTERS.matcher(host).matches() && ipv6(host) != null;
    }
    return IPV4.matcher(host).matches() || (!host.matches("[0-9.]+") && HOSTNAME.matcher(host).matches());
  }

  /**
   * The addresses {@code host} stands for on this machine, for telling whether two listen addresses
   * collide: an IP literal in its canonical form ({@code ::ffff:127.0.0.1} is {@code 127.0.0.1}),
   * {@code localhost} both loopbacks, any other name itself (names are not resolved).
   */
  public static Set<String> canonicalAddresses(String host) {
    String lower = host.toLowerCase(Locale.ROOT);
    if (lower.equals("localhost") || lower.endsWith(".localhost")) {
      return Set.of("127.0.0.1", "0:0:0:0:0:0:0:1");
    }
    InetAddress literal = literal(host);
    return Set.of(literal == null ? lower : literal.getHostAddress());
  }

  /** Whether the address is a wildcard (every local address): 0.0.0.0 or ::. */
  public static boolean isWildcard(String host) {
    InetAddress literal = literal(host);
    return literal != null && literal.isAnyLocalAddress();
  }

  /** Whether only this machine can reach an address listened on ({@code localhost}, a loopback), or every local one is (a wildcard). */
  public static boolean isLoopbackOrWildcard(String host) {
    InetAddress literal = literal(host);
    return literal == null ? canonicalAddresses(host).contains("127.0.0.1")
        : literal.isLoopbackAddress() || literal.isAnyLocalAddress();
  }

  /** The address an IP literal stands for, or null for a host name. */
  private static InetAddress literal(String host) {
    return host.contains(":") ? ipv6(host) : IPV4.matcher(host).matches() ? ipv4(host) : null;
  }

  /** A bracketed literal is parsed, never looked up: {@code InetAddress} refuses a malformed one. */
  private static InetAddress ipv6(String host) {
    try {
      return InetAddress.getByName("[" + host + "]");
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static InetAddress ipv4(String host) {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** Parses {@code HOST:PORT}; the message of a failure says what form is expected. */
  public static HostPort parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (e.g. 127.0.0.1:3000)");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("'" + text + "': write an IPv6 address in brackets, e.g. [::1]:3000");
    }
    if (host.isEmpty()) {
      host = "0.0.0.0";
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has no numeric port (e.g. 127.0.0.1:3000)");
    }
    return new HostPort(host, port);
  }

  /**
   * The address a client on this machine dials: a wildcard listen address (0.0.0.0, ::) is reached
   * on loopback; IPv6 is bracketed, as in URLs and nginx.
   */
  public String dialAddress() {
    String dial = switch (host) {
      case "0.0.0.0" -> "127.0.0.1";
      case "::" -> "::1";
      default -> host;
    };
    return (dial.contains(":") ? "[" + dial + "]" : dial) + ":" + port;
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }

  /** Lets picocli turn an option value into a {@code HostPort} with a precise message. */
  public static final class Converter implements ITypeConverter<HostPort> {
    @Override
    public HostPort convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
