package dev.ollamabridge.console.models;

import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which instances serve which model, and why: an instance serves its pinned models if it has any,
 * else those its bridge listed when last asked, and the client names of its aliases.
 *
 * <p>Names that differ only in case, or by a {@code :latest} tag, are one model: nginx's map
 * matches names without regard to case and Ollama reads {@code llama3} as {@code llama3:latest},
 * so a request for any spelling goes to every instance that lists any of them. Grouping them here,
 * once, is what keeps the API, the Models page and nginx.conf in agreement: a backend cannot take
 * another's traffic by listing its model in capitals.
 */
public final class ClusterModels {

  /** Where an instance's claim to a model comes from. */
  public enum Source { PINNED, DISCOVERED, ALIAS }

  /**
   * One instance serving a model.
   *
   * @param seenAt when its bridge last listed the model (discovered only), else null
   * @param backendName the name the backend knows the model by (its own spelling, or the target of an alias)
   * @param listedAs the name as this instance lists it to clients
   */
  public record Server(Instance instance, Source source, Instant seenAt, String backendName, String listedAs) {}

  /**
   * One model of the cluster.
   *
   * @param name the name shown for it: its lower-case spelling if an instance lists that, else the first
   * @param spellings every name it is listed under, each a name clients may use
   * @param servers the instances serving it, each once
   */
  public record Model(String name, SortedSet<String> spellings, List<Server> servers) {}

  private ClusterModels() {}

  /**
   * The key nginx routes a model name by: lower case, without a {@code :latest} tag.
   */
  public static String routingKey(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(":latest") ? lower.substring(0, lower.length() - ":latest".length()) : lower;
  }

  /**
   * Routing key → the model, keys sorted; names that break the model rule are left out.
   */
  public static SortedMap<String, Model> of(List<Instance> instances, Map<Long, List<ModelRepository.Seen>> discovered) {
    SortedMap<String, SortedSet<String>> spellings = new TreeMap<>();
    SortedMap<String, Map<Long, Server>> servers = new TreeMap<>();
    for (Instance instance : instances) {
      for (Server server : claims(instance, discovered.getOrDefault(instance.id(), List.of()))) {
        String key = routingKey(server.listedAs());
        spellings.computeIfAbsent(key, k -> new TreeSet<>()).add(server.listedAs());
        servers.computeIfAbsent(key, k -> new LinkedHashMap<>()).putIfAbsent(instance.id(), server);
      }
    }
    SortedMap<String, Model> models = new TreeMap<>();
    spellings.forEach((key, names) -> models.put(key,
        new Model(names.contains(key) ? key : names.first(), names, List.copyOf(servers.get(key).values()))));
    return models;
  }

  private static List<Server> claims(Instance instance, List<ModelRepository.Seen> discovered) {
    List<Server> claims = new ArrayList<>();
    // an alias comes first: where its client name is also listed, the alias is what the bridge applies
    instance.aliasMap().forEach((client, backend) -> claims.add(new Server(instance, Source.ALIAS, null, backend, client)));
    if (!instance.models().isEmpty()) {
      instance.models().forEach(name -> claims.add(new Server(instance, Source.PINNED, null, name, name)));
    } else {
      discovered.forEach(seen -> claims.add(new Server(instance, Source.DISCOVERED, seen.seenAt(), seen.name(), seen.name())));
    }
    return claims.stream().filter(server -> InstanceRules.MODEL.matcher(server.listedAs()).matches()).toList();
  }
}
