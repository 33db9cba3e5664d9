package dev.ollamabridge.console;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.settings.Setting;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the console is started with.
 *
 * @param dataDir database, logs, pid files, cache dirs and generated files live here
 * @param demo on an empty database, start the fake backend and one instance in front of it
 * @param operator the operator settings (commands, paths, nginx mode), checked; the API cannot change them.
 *     nginx.tls_dir is always there: {@code <data>/tls} unless the operator named another
 * @param nginxListen where the managed nginx listens, stored as nginx.listen; null keeps the setting
 * @param agentListen where the agent listener listens (TLS, for agents on other hosts); null: off
 * @param agentUrl the https URL agents dial when it is not the listener's address (a public name, a NAT); null: that address
 */
public record ConsoleConfig(Path dataDir, HostPort listen, boolean demo, Map<Setting, String> operator, String nginxListen,
    HostPort agentListen, String agentUrl) {

  public ConsoleConfig {
    Map<Setting, String> complete = new EnumMap<>(Setting.class);
    complete.put(Setting.NGINX_TLS_DIR, defaultTlsDir(dataDir));
    operator.forEach((setting, value) -> {
      if (!value.isEmpty() || setting != Setting.NGINX_TLS_DIR) {
        complete.put(setting, value);
      }
    });
    operator = Map.copyOf(complete);
  }

  /** Where the TLS certificates and keys are when the operator names no place: inside the data directory, its owner's only. */
  public static String defaultTlsDir(Path dataDir) {
    return dataDir.toAbsolutePath().normalize().resolve("tls").toString();
  }

  /** A console with the operator settings' defaults. */
  public ConsoleConfig(Path dataDir, HostPort listen, boolean demo) {
    this(dataDir, listen, demo, Map.of(), null, null, null);
  }

  /** A console in {@code nginxMode} (null: the default), its other operator settings at their defaults. */
  public ConsoleConfig(Path dataDir, HostPort listen, boolean demo, String nginxMode, String nginxListen) {
    this(dataDir, listen, demo, nginxMode == null ? Map.of() : Map.of(Setting.NGINX_MODE, nginxMode), nginxListen, null, null);
  }

  /** The same config with one more operator setting. */
  public ConsoleConfig withOperator(Setting setting, String value) {
    Map<Setting, String> more = new EnumMap<>(Setting.class);
    more.putAll(operator);
    more.put(setting, setting.check(value));
    return new ConsoleConfig(dataDir, listen, demo, more, nginxListen, agentListen, agentUrl);
  }

  /** Shows whether each secret operator setting is set, never its value. */
  @Override
  public String toString() {
    Map<Setting, String> shown = new EnumMap<>(Setting.class);
    operator.forEach((setting, value) -> shown.put(setting, setting.secret() ? "(secret)" : value));
    return "ConsoleConfig[dataDir=" + dataDir + ", listen=" + listen + ", demo=" + demo + ", operator=" + shown
        + ", nginxListen=" + nginxListen + ", agentListen=" + agentListen + ", agentUrl=" + agentUrl + "]";
  }

  /** The same config with the agent listener on. */
  public ConsoleConfig withAgentListener(HostPort agentListen, String agentUrl) {
    return new ConsoleConfig(dataDir, listen, demo, operator, nginxListen, agentListen, agentUrl);
  }
}
