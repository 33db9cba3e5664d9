package dev.ollamabridge.console.nginx;

import dev.ollamabridge.console.files.RenderException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a rollback would change in the servers nginx routes to, against the configuration the
 * instances render now: the instances it would bring back or drop, and the weights, addresses and
 * up or down marks that differ. Both texts are read at their {@code bridge_cluster} upstream, whose
 * server lines the console writes with the instance's name in their comment.
 */
public final class RollbackCheck {

  private static final String CLUSTER = "upstream bridge_cluster {";
  private static final Pattern SERVER =
      Pattern.compile("^\\s*server (\\S+)([^;]*); # ([a-z0-9][a-z0-9-]{0,62})(?:: down, (.*))?$");
  private static final Pattern WEIGHT = Pattern.compile(" weight=(\\d+)");

  private RollbackCheck() {}

  /** One server line: an instance's address, weight, and why it is down (null: up). */
  private record Server(String address, String weight, String down) {}

  /**
   * The differences, each a sentence an operator reads before confirming; empty when the rollback's
   * servers match the instances now.
   */
  public static List<String> differences(Revision earlier, ConfigSource configs) {
    String now;
    try {
      now = configs.nginx();
    } catch (RenderException e) {
      return List.of("the instances cannot be rendered now to compare (" + e.getMessage() + ")");
    }
    return differences(earlier.config(), now);
  }

  static List<String> differences(String rollback, String now) {
    Map<String, Server> then = servers(rollback);
    Map<String, Server> current = servers(now);
    List<String> differences = new ArrayList<>();
    then.forEach((name, server) -> {
      Server today = current.get(name);
      if (today == null) {
        differences.add("brings back " + name + " (" + server.address() + "), which is no instance now"
            + (server.down() == null ? ": nginx would send it requests" : ", marked down"));
        return;
      }
      if (!server.address().equals(today.address())) {
        differences.add(name + " at " + server.address() + " instead of " + today.address());
      }
      if (!Objects.equals(server.weight(), today.weight())) {
        differences.add("weight of " + name + " " + server.weight() + " instead of " + today.weight());
      }
      if (server.down() == null && today.down() != null) {
        differences.add("routes to " + name + ", which is down now (" + today.down() + ")");
      } else if (server.down() != null && today.down() == null) {
        differences.add("takes " + name + " out (down then: " + server.down() + "), which is up now");
      }
    });
    current.forEach((name, server) -> {
      if (!then.containsKey(name)) {
        differences.add("drops " + name + " (" + server.address() + ")"
            + (server.down() == null ? ": nginx would send it nothing" : ""));
      }
    });
    return differences;
  }

  /** The servers of the cluster upstream by instance name, in their order. */
  private static Map<String, Server> servers(String config) {
    Map<String, Server> servers = new LinkedHashMap<>();
    boolean inCluster = false;
    for (String line : config.lines().toList()) {
      String trimmed = line.strip();
      if (trimmed.equals(CLUSTER)) {
        inCluster = true;
      } else if (inCluster && trimmed.equals("}")) {
        break;
      } else if (inCluster) {
        Matcher server = SERVER.matcher(line);
        if (server.matches()) {
          Matcher weight = WEIGHT.matcher(server.group(2));
          servers.put(server.group(3), new Server(server.group(1), weight.find() ? weight.group(1) : "1",
              server.group(4) != null ? server.group(4) : server.group(2).contains(" down") ? "down" : null));
        }
      }
    }
    return servers;
  }
}
