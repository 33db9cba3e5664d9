package dev.ollamabridge.console.settings;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The ports instances may listen on, as the {@code instance_ports} setting writes them: {@code FROM-TO}. */
public record PortRange(int from, int to) {

  private static final Pattern FORM = Pattern.compile("\\s*(\\d{1,5})\\s*-\\s*(\\d{1,5})\\s*");
  static final String RULE = "must be FROM-TO, ports from 1 to 65535 with FROM not above TO, e.g. 1024-65535";

  public PortRange {
    if (from < 1 || to > 65535 || from > to) {
      throw new IllegalArgumentException(RULE);
    }
  }

  /** Parses {@code FROM-TO}; the message of a failure states the rule. */
  public static PortRange parse(String text) {
    Matcher parts = FORM.matcher(text);
    if (!parts.matches()) {
      throw new IllegalArgumentException(RULE);
    }
    return new PortRange(Integer.parseInt(parts.group(1)), Integer.parseInt(parts.group(2)));
  }

  public boolean contains(int port) {
    return port >= from && port <= to;
  }

  @Override
  public String toString() {
    return from + "-" + to;
  }
}
