package dev.ollamabridge.console.nginx;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.files.Snapshot;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.Settings;
import dev.ollamabridge.console.supervise.Supervisor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How the console's start brings nginx in: which mode it can run, its applier, njs, and the first apply. */
public final class NginxSetup {

  private static final Logger log = LoggerFactory.getLogger(NginxSetup.class);

  private NginxSetup() {}

  /** managed, system or off; managed or system without an nginx binary is off, with a warning. */
  public static String mode(Settings settings) {
    String mode = settings.get(Setting.NGINX_MODE);
    if (!mode.equals("off") && NginxBinary.find().isEmpty()) {
      log.warn("nginx.mode is {} but no nginx binary was found on the PATH: rendering only", mode);
      return "off";
    }
    return mode;
  }

  /** The applier of nginx.mode {@code mode}, with its own nginx adopted or started; empty when off. */
  public static Optional<NginxApplier> applier(String mode, Path data, Settings settings, Supervisor supervisor,
      ConfigSource configs, RevisionRepository revisions, EventLog events, OkHttpClient http) {
    if (mode.equals("off")) {
      return Optional.empty();
    }
    String binary = NginxBinary.find().orElseThrow();
    Supplier<HostPort> listen = () -> HostPort.parse(settings.get(Setting.NGINX_LISTEN));
    NginxTarget target;
    if (mode.equals("managed")) {
      ManagedNginx managed = new ManagedNginx(binary, data.resolve("nginx"), supervisor, listen);
      managed.startIfConfigured();
      target = managed;
    } else {
      target = new SystemNginx(List.of(settings.get(Setting.NGINX_TEST_COMMAND).split(" ")),
          Path.of(settings.get(Setting.NGINX_SYSTEM_PATH)), List.of(settings.get(Setting.NGINX_RELOAD_COMMAND).split(" ")));
    }
    return Optional.of(new NginxApplier(configs::nginx, target, revisions, events, listen, Duration.ofMillis(250), http));
  }

  /**
   * The rotation of the managed nginx's logs under {@code prefix}, each moved aside past {@code maxBytes}
   * (the console's: the setting {@code logs.requests_max_mb}) every {@code every}; empty for a system
   * nginx (the system's logrotate owns its logs) or none.
   */
  public static Optional<NginxLogRotation> logRotation(String mode, Path prefix, LongSupplier maxBytes,
      Duration every) {
    if (!mode.equals("managed")) {
      return Optional.empty();
    }
    String binary = NginxBinary.find().orElseThrow();
    return Optional.of(NginxLogRotation.start(prefix.resolve("logs"), maxBytes,
        () -> ManagedNginx.reopenLogs(binary, prefix), every));
  }

  /**
   * How nginx gets njs for routing by model, with the routing script written where the config
   * imports it; empty (and a warning) when this nginx has no njs.
   */
  public static Optional<Snapshot.Njs> njs(String mode, Path prefix) {
    Optional<Snapshot.Njs> njs = NjsRouting.forMode(mode, prefix);
    if (njs.isPresent()) {
      NjsRouting.writeScript(prefix);
    } else if (!mode.equals("off")) {
      log.warn("nginx has no njs module (Debian: apt-get install libnginx-mod-http-js): it balances by load only,"
          + " not routing requests by model");
    }
    return njs;
  }

  /** Brings nginx in line with the database; a refusal is logged and kept as a revision, not fatal. */
  public static void applyAtStart(NginxApplier applier) {
    try {
      applier.request("console", Cause.of("console", "console start")).join();
    } catch (CompletionException e) {
      log.warn("nginx: the configuration was not applied at start: {}", e.getCause().getMessage());
    }
  }
}
