package dev.ollamabridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ports this JVM's tests hand to processes that bind them later: nginx, a bridge started from
 * its command line, the instances of a test console. Both kinds lie below the ephemeral range
 * (32768 and up), from which the system picks the ports of port 0 and of every outgoing
 * connection: a port probed free there and bound seconds later is often taken in between on a busy
 * machine, by any connection. Each JVM starts at a random place, so that two suites on one machine
 * (two clones, CI beside a developer) rarely reach for the same ports; and a port is probed free
 * before it is handed out. The forks of one suite ({@code ollamabridge.test.fork}, 1 to
 * {@code ollamabridge.test.forks}) each keep to their own share of both ranges, so that they never do.
 */
public final class TestPorts {

  private static final int FORKS = Math.max(1, Integer.getInteger("ollamabridge.test.forks", 2));
  /** 0 to FORKS - 1: which share of each range this JVM takes. */
  private static final int SHARE = Math.floorMod(Integer.getInteger("ollamabridge.test.fork", 1) - 1, FORKS);
  /** Instances: 20000–28999, a thousand ports above each start left for a suite's instances. */
  private static final int INSTANCE_PORTS = 9_000 / FORKS;
  private static final int FIRST_PORT = 20_000 + SHARE * INSTANCE_PORTS
      + ThreadLocalRandom.current().nextInt(INSTANCE_PORTS - 1_000);
  /** Listeners: 30000–32767, from a random start, each probed free once. */
  private static final int LISTEN_PORTS = (32_768 - 30_000) / FORKS;
  private static final int LISTEN_FROM = 30_000 + SHARE * LISTEN_PORTS;
  private static final AtomicInteger NEXT_LISTEN = new AtomicInteger(ThreadLocalRandom.current().nextInt(LISTEN_PORTS));

  private TestPorts() {}

  /** This JVM's {@code first_port}. */
  public static int firstPort() {
    return FIRST_PORT;
  }

  /** A port nothing listens on now, for a process the test starts to listen on. */
  public static int listenPort() {
    for (int tries = 0; tries < LISTEN_PORTS; tries++) {
      int port = LISTEN_FROM + Math.floorMod(NEXT_LISTEN.getAndIncrement(), LISTEN_PORTS);
      try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return probe.getLocalPort();
      } catch (IOException taken) {
        // in use: the next one
      }
    }
    throw new UncheckedIOException(new IOException("no free port in " + LISTEN_FROM + "–" + (LISTEN_FROM + LISTEN_PORTS - 1)));
  }
}
