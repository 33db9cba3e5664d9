package dev.ollamabridge.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a failed HTTP call tells a person, with every address as {@code host:port} ({@code [::1]:port}
 * for IPv6), never in Java's {@code /127.0.0.1:3001} form.
 */
public final class CallFailures {

  /** Java's socket address text: an optional host name, a slash, then the IP literal and the port. */
  private static final Pattern JAVA_ADDRESS =
      Pattern.compile("(?<![\\w.:\\]])[A-Za-z0-9.-]*/(\\d{1,3}(?:\\.\\d{1,3}){3}|\\[[0-9A-Fa-f:.]+\\]):(\\d{1,5})");

  private CallFailures() {}

  /**
   * Why a call to {@code address} failed, as a sentence that starts with the address, e.g.
   * {@code 127.0.0.1:3001 refused the connection (nothing listens there)}.
   */
  public static String describe(IOException e, String address) {
    String cause = e.getCause() == null ? null : e.getCause().getMessage();
    if (e instanceof UnknownHostException) {
      return address + " cannot be resolved (unknown host)";
    }
    if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
      String why = cause != null ? cause : e.getMessage();
      if (why != null && why.contains("refused")) {
        return address + " refused the connection (nothing listens there)";
      }
      return address + " cannot be reached" + (why == null ? "" : ": " + addresses(why));
    }
    if (e instanceof InterruptedIOException) {
      return address + " did not answer in time";
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return address + " failed: " + addresses(message);
  }

  /** The text with every address Java wrote ({@code localhost/127.0.0.1:80}, {@code /[0:0:0:0:0:0:0:1]:80}) as host:port. */
  public static String addresses(String text) {
    Matcher found = JAVA_ADDRESS.matcher(text);
    StringBuilder out = new StringBuilder();
    while (found.find()) {
      String ip = found.group(1);
      String shown = ip.startsWith("[") ? "[" + compressed(ip.substring(1, ip.length() - 1)) + "]" : ip;
      found.appendReplacement(out, Matcher.quoteReplacement(shown + ":" + found.group(2)));
    }
    found.appendTail(out);
    return out.toString();
  }

  /** An IPv6 literal in its short form (RFC 5952): {@code 0:0:0:0:0:0:0:1} is {@code ::1}. */
  static String compressed(String ipv6) {
    String[] groups;
    try {
      groups = InetAddress.getByName("[" + ipv6 + "]").getHostAddress().split("%")[0].split(":");
    } catch (UnknownHostException e) {
      return ipv6;
    }
    if (groups.length != 8) {
      return ipv6; // an IPv4 address mapped into IPv6 comes back as IPv4
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; i++) {
      int length = 0;
      while (i + length < 8 && groups[i + length].equals("0")) {
        length++;
      }
      if (length > bestLength) {
        bestStart = i;
        bestLength = length;
      }
    }
    if (bestStart < 0) {
      return String.join(":", groups);
    }
    String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
    String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, 8));
    return head + "::" + tail;
  }
}
