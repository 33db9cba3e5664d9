package dev.ollamabridge.testing;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Where the instances of this JVM's test consoles take their ports from: a {@code first_port} chosen
 * at random once per JVM, so that two suites on one machine (two clones, CI beside a developer) do
 * not probe the same ports and hand them to bridges that bind them seconds later. It lies in
 * 20000–28999, below the ephemeral range (32768 and up) from which the system picks the ports that
 * port 0 and outgoing connections get, and leaves a thousand ports above it for a suite's instances.
 */
public final class TestPorts {

  private static final int FIRST_PORT = 20_000 + ThreadLocalRandom.current().nextInt(9_000);

  private TestPorts() {}

  /** This JVM's {@code first_port}. */
  public static int firstPort() {
    return FIRST_PORT;
  }
}
