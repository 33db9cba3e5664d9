package dev.ollamabridge.console.jdk;

/**
 * The java the console launches its bridges on, and why that one.
 *
 * @param setting bridge.java as given: {@code auto} or a path
 * @param jdk the runtime chosen
 * @param reason how it was chosen, for people: "the newest JDK 21 or later found"
 */
public record BridgeJava(String setting, Jdk jdk, String reason) {

  /** The executable as it goes into a command line. */
  public String executable() {
    return jdk.java().toString();
  }

  /** One line for pages and logs: {@code /usr/lib/jvm/…/bin/java (Java 25.0.1): the newest JDK 21 or later found}. */
  public String describe() {
    return executable() + " (Java " + jdk.version() + "): " + reason;
  }
}
