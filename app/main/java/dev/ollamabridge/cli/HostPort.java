package dev.ollamabridge.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A listen address: {@code HOST:PORT}, {@code [IPv6]:PORT} or {@code :PORT} (all interfaces).
 * Port 0 asks the system for a free port.
 */
public record HostPort(String host, int port) {

  private static final java.util.regex.Pattern HOST =
      java.util.regex.Pattern.compile("[A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]{2,45}");

  public HostPort {
    if (!HOST.matcher(host).matches()) {
      throw new IllegalArgumentException("'" + host + "' is not a host name or IP address");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 0-65535");
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
