package dev.ollamabridge.agent;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.supervise.ProgramSpec;
import dev.ollamabridge.link.BridgeSpec;
import dev.ollamabridge.link.Desired;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a desired state whole before any of it is applied: the console is trusted to say what runs,
 * not to be right, and a document that is wrong anywhere is refused everywhere, so a host never runs
 * half of one. Each rule's message names the bridge, the field and the rule, in one line.
 */
final class DesiredRules {

  /** The console's rule for instance names; the name also makes file names and supervisord sections. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  /**
   * The bridge's own variables only: a variable such as {@code JAVA_TOOL_OPTIONS} or {@code LD_PRELOAD}
   * would let whoever speaks for the console run any code on this host, where the arguments cannot.
   */
  private static final Pattern VARIABLE = Pattern.compile("BRIDGE_[A-Z0-9_]{1,57}");
  static final int MAX_BRIDGES = 500;
  static final int MAX_ARGUMENTS = 200;
  static final int MAX_ARGUMENT_CHARS = 4096;
  static final int MAX_VARIABLES = 32;
  static final int MAX_VALUE_CHARS = 256 * 1024;
  /** Flags the agent places itself: where a bridge caches is this host's business. */
  private static final List<String> AGENTS_OWN = List.of("--cache-dir", "--enable-cache");

  /** The bridge's request log, which the agent places under its data directory, as it does the cache. */
  private static final String REQUEST_LOG = "--request-log";

  private DesiredRules() {}

  /**
   * The programs the document asks for, by bridge name in the document's order; {@link IllegalArgumentException}
   * with the first rule it breaks.
   */
  static Map<String, ProgramSpec> check(Desired desired, String host, BridgePrograms programs) {
    checkDocument(desired, host);
    if (desired.bridges().size() > MAX_BRIDGES) {
      throw new IllegalArgumentException("bridges has " + desired.bridges().size() + " entries; at most "
          + MAX_BRIDGES + " are allowed");
    }
    Map<String, ProgramSpec> specs = new LinkedHashMap<>();
    Map<Integer, String> ports = new HashMap<>();
    for (BridgeSpec bridge : desired.bridges()) {
      String name = bridge.name();
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("bridge name '" + name + "' must be 1-63 lower-case letters, digits or"
            + " '-', starting with a letter or digit");
      }
      if (specs.containsKey(name)) {
        throw new IllegalArgumentException("bridge " + name + " is named twice; names must be distinct");
      }
      if (bridge.port() < 1 || bridge.port() > 65535) {
        throw new IllegalArgumentException("port of bridge " + name + " is " + bridge.port() + "; it must be 1-65535");
      }
      String other = ports.put(bridge.port(), name);
      if (other != null) {
        throw new IllegalArgumentException("bridges " + other + " and " + name + " both have port " + bridge.port()
            + "; ports must be distinct");
      }
      checkArguments(bridge);
      checkEnvironment(bridge);
      if (!HostPort.isHost(bridge.listenHost())) {
        throw new IllegalArgumentException("listenHost of bridge " + name + " is not a host name or IP address");
      }
      specs.put(name, programs.spec(bridge));
    }
    return specs;
  }

  /**
   * What makes the document this host's at all, before its bridges or its edge are looked at:
   * {@link IllegalArgumentException} when it is another host's, or has no revision.
   */
  static void checkDocument(Desired desired, String host) {
    if (!host.equals(desired.host())) {
      throw new IllegalArgumentException("host is '" + desired.host() + "'; this agent is host '" + host + "'");
    }
    if (desired.revision() < 1) {
      throw new IllegalArgumentException("revision is " + desired.revision() + "; it must be 1 or more");
    }
  }

  private static void checkArguments(BridgeSpec bridge) {
    List<String> arguments = bridge.arguments();
    if (arguments.size() > MAX_ARGUMENTS) {
      throw new IllegalArgumentException("arguments of bridge " + bridge.name() + " has " + arguments.size()
          + " entries; at most " + MAX_ARGUMENTS + " are allowed");
    }
    for (String argument : arguments) {
      if (argument.length() > MAX_ARGUMENT_CHARS || argument.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("an argument of bridge " + bridge.name() + " is longer than "
            + MAX_ARGUMENT_CHARS + " characters or holds a NUL");
      }
      if (AGENTS_OWN.contains(argument)) {
        throw new IllegalArgumentException("arguments of bridge " + bridge.name() + " hold " + argument
            + ", which the agent places itself (set cache instead)");
      }
      if (placedHere(argument)) {
        throw new IllegalArgumentException("arguments of bridge " + bridge.name() + " hold "
            + argument.substring(0, argument.indexOf('=') < 0 ? argument.length() : argument.indexOf('='))
            + ", which the agent places itself");
      }
    }
  }

  /** A file flag, as {@code --flag} or {@code --flag=VALUE}, whose place is this host's business. */
  private static boolean placedHere(String argument) {
    return REQUEST_LOG.equals(argument) || argument.startsWith(REQUEST_LOG + "=")
        || AGENTS_OWN.stream().anyMatch(flag -> argument.startsWith(flag + "="));
  }

  private static void checkEnvironment(BridgeSpec bridge) {
    if (bridge.environment().size() > MAX_VARIABLES) {
      throw new IllegalArgumentException("environment of bridge " + bridge.name() + " has "
          + bridge.environment().size() + " variables; at most " + MAX_VARIABLES + " are allowed");
    }
    for (Map.Entry<String, String> variable : bridge.environment().entrySet()) {
      if (!VARIABLE.matcher(variable.getKey()).matches()) {
        throw new IllegalArgumentException("environment of bridge " + bridge.name() + " names a variable that is not"
            + " BRIDGE_ followed by up to 57 upper-case letters, digits or '_'");
      }
      if (variable.getValue().length() > MAX_VALUE_CHARS || variable.getValue().indexOf('\0') >= 0) {
        // the value is a secret: only its name is told
        throw new IllegalArgumentException("environment variable " + variable.getKey() + " of bridge " + bridge.name()
            + " is longer than " + MAX_VALUE_CHARS + " characters or holds a NUL");
      }
    }
  }
}
