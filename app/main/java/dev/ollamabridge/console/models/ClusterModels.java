package dev.ollamabridge.console.models;

import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which instances serve which model, and why: an instance serves its pinned models if it has any,
 * else those its bridge listed when last asked, and the client names of its aliases.
 */
public final class ClusterModels {

  /** Where an instance's claim to a model comes from. */
  public enum Source { PINNED, DISCOVERED, ALIAS }

  /**
   * One instance serving a model.
   *
   * @param seenAt when its bridge last listed the model (discovered only), else null
   * @param backendName the name the backend knows the model by (differs for an alias)
   */
  public record Server(Instance instance, Source source, Instant seenAt, String backendName) {}

  private ClusterModels() {}

  /** Model name → the instances serving it, names sorted; names that break the model rule are left out. */
  public static SortedMap<String, List<Server>> of(List<Instance> instances, Map<Long, List<ModelRepository.Seen>> discovered) {
    SortedMap<String, List<Server>> models = new TreeMap<>();
    for (Instance instance : instances) {
      Map<String, Server> served = new LinkedHashMap<>();
      if (!instance.models().isEmpty()) {
        instance.models().forEach(name -> served.put(name, new Server(instance, Source.PINNED, null, name)));
      } else {
        for (ModelRepository.Seen seen : discovered.getOrDefault(instance.id(), List.of())) {
          served.put(seen.name(), new Server(instance, Source.DISCOVERED, seen.seenAt(), seen.name()));
        }
      }
      instance.aliasMap().forEach((client, backend) -> served.put(client, new Server(instance, Source.ALIAS, null, backend)));
      served.forEach((name, server) -> {
        if (InstanceRules.MODEL.matcher(name).matches()) {
          models.computeIfAbsent(name, n -> new ArrayList<>()).add(server);
        }
      });
    }
    return models;
  }
}
