package dev.ollamabridge.console.instances;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.settings.PortRange;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.Settings;
import dev.ollamabridge.console.supervise.PortCheck;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Where an instance may listen: the defaults of a new one (its name, the next free port) and the
 * checks that its name, address and cache directory are its own, made before anything is stored.
 */
final class InstancePlacement {

  private static final String DEFAULT_HOST = "127.0.0.1";

  private final Settings settings;
  private final Supplier<List<InstanceService.Reserved>> reserved;
  private final HostRuntimes runtimes;

  /** @param reserved the addresses the console's own listeners use now */
  InstancePlacement(Settings settings, Supplier<List<InstanceService.Reserved>> reserved, HostRuntimes runtimes) {
    this.settings = settings;
    this.reserved = reserved;
    this.runtimes = runtimes;
  }

  /**
   * A new instance with every default: the name given or the next {@code bridge-N}, on the host given
   * or {@code local}, listening on loopback there (on another host, on the address it advertises),
   * on the next port free on that host.
   */
  Instance defaults(List<Instance> existing, String name, String host) {
    // a host that does not exist is refused once the rules have checked its name (checkFree)
    HostRuntime runtime = runtimes.find(host == null ? HostRuntimes.LOCAL : host)
        .orElseGet(() -> runtimes.of(HostRuntimes.LOCAL));
    Set<String> names = existing.stream().map(Instance::name).collect(Collectors.toSet());
    String chosen = name;
    for (int n = 1; chosen == null; n++) {
      if (!names.contains("bridge-" + n)) {
        chosen = "bridge-" + n;
      }
    }
    String listenHost = runtime.local() ? DEFAULT_HOST : runtime.advertise();
    return new Instance(0, chosen, runtime.name(), listenHost, nextFreePort(existing, runtime, listenHost),
        settings.get(Setting.DEFAULT_UPSTREAM),
        "auto", 1, "primary", 2, 30, true, null, false, null, List.of(), 0, true, true, true, List.of(), List.of(), List.of(),
        0, 0, 30_000, 0, null, null);
  }

  /**
   * The first port from {@code first_port} up, inside {@code instance_ports}, that no instance on the
   * host (or on the same address) uses and, on the console's own machine, nothing listens on.
   */
  private int nextFreePort(List<Instance> existing, HostRuntime runtime, String listenHost) {
    Set<Integer> taken = existing.stream().filter(other -> sharesAddress(other, runtime.name(), listenHost))
        .map(Instance::port).collect(Collectors.toSet());
    boolean thisMachine = runtime.local() || HostPort.isLoopbackOrWildcard(runtime.advertise());
    PortRange ports = settings.instancePorts();
    for (int port = Math.max(settings.integer(Setting.FIRST_PORT), ports.from()); port <= ports.to(); port++) {
      if (!taken.contains(port) && (!thisMachine || PortCheck.inUse(listenHost, port).isEmpty())) {
        return port;
      }
    }
    throw new InstanceConflict("port", "no free port is left from first_port up in " + Setting.INSTANCE_PORTS.key()
        + " " + ports);
  }

  /**
   * A bridge the console is to launch must find its address free: another program listening there
   * would have it fail to start, and its health checks probe that program. Its own running bridge
   * holds the address it keeps, which is no conflict.
   */
  static void checkNotListenedOn(Instance before, Instance after) {
    if (!after.managed() || !after.enabled() || !after.host().equals(HostRuntimes.LOCAL)) {
      return; // another host's agent finds out when it starts the bridge, and reports it FATAL
    }
    boolean ranThere = before != null && before.managed() && before.enabled() && before.host().equals(after.host())
        && before.port() == after.port() && sameHost(before.listenHost(), after.listenHost());
    if (!ranThere) {
      PortCheck.inUse(after.listenHost(), after.port()).ifPresent(why -> {
        throw new InstanceConflict("port", why + ": choose another port, or stop that program");
      });
    }
  }

  /**
   * The database holds uniqueness too; this check names the field before anything is written. A
   * bridge on another host must listen where nginx and the console reach it, not on loopback or a
   * wildcard (which would leave nobody knowing its address).
   */
  void checkFree(Instance draft, List<Instance> others) {
    HostRuntime runtime = runtimes.placeable(draft.host());
    if (runtime.local()) {
      for (InstanceService.Reserved own : reserved.get()) {
        if (own.address().port() == draft.port() && sameHost(own.address().host(), draft.listenHost())) {
          throw new InstanceConflict("port", "port " + draft.port() + " on " + draft.listenHost() + " is the " + own.owner() + "'s own");
        }
      }
    } else if (draft.managed() && (HostPort.isWildcard(draft.listenHost())
        || HostPort.isLoopbackOrWildcard(draft.listenHost()) && !HostPort.isLoopbackOrWildcard(runtime.advertise()))) {
      // loopback only for a host that advertises loopback: an agent on the console's own machine
      throw new InvalidInput("listen_host", "listen_host of a bridge on host '" + draft.host() + "' must be an address "
          + "nginx and the console reach it at, such as the host's " + runtime.advertise() + ", not " + draft.listenHost());
    }
    for (Instance other : others) {
      if (other.name().equals(draft.name())) {
        throw new InstanceConflict("name", "the name '" + draft.name() + "' is taken by instance " + other.id());
      }
      if (other.port() == draft.port() && sharesAddress(other, draft.host(), draft.listenHost())) {
        throw new InstanceConflict("port", "port " + draft.port() + " on " + draft.listenHost() + " is taken by instance '" + other.name() + "'");
      }
      if (draft.cacheEnabled() && other.cacheEnabled() && draft.cacheDir() != null && other.cacheDir() != null
          && other.host().equals(draft.host())
          && CacheRoots.overlap(other.cacheDir(), draft.cacheDir())) {
        throw new InstanceConflict("cache_dir", "the cache directory " + draft.cacheDir() + " is, holds or lies in instance '"
            + other.name() + "''s " + other.cacheDir());
      }
    }
  }

  /**
   * Whether a bridge on {@code host} listening on {@code listenHost} would share its addresses with
   * {@code other}: on one host, as {@link #sameHost} says; across hosts, only one address written
   * the same (two machines cannot hold one address, but an agent on the console's own machine advertises
   * loopback, as the console's own bridges listen on).
   */
  private static boolean sharesAddress(Instance other, String host, String listenHost) {
    if (other.host().equals(host)) {
      return sameHost(other.listenHost(), listenHost);
    }
    return !HostPort.isWildcard(other.listenHost()) && !HostPort.isWildcard(listenHost)
        && HostPort.canonicalAddresses(other.listenHost()).stream()
            .anyMatch(HostPort.canonicalAddresses(listenHost)::contains);
  }

  /**
   * Whether two listen hosts can collide on a port: the same address however it is spelt
   * ({@code localhost} is both loopbacks), or a wildcard, which takes the port on every local address.
   */
  private static boolean sameHost(String a, String b) {
    if (HostPort.isWildcard(a) || HostPort.isWildcard(b)) {
      return true;
    }
    Set<String> first = HostPort.canonicalAddresses(a);
    return HostPort.canonicalAddresses(b).stream().anyMatch(first::contains);
  }

}
