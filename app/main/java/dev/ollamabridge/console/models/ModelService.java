package dev.ollamabridge.console.models;

import dev.ollamabridge.console.health.HealthState;
import dev.ollamabridge.console.instances.InstanceRepository;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.function.Function;

/** The cluster's models as the API and the pages show them: who serves each, how healthy, and why. */
public final class ModelService {

  /**
   * One model and the instances that serve it.
   *
   * @param spellings every name it is listed under (names that differ only in case or by
   *     {@code :latest} are one model)
   */
  public record ServedModel(String name, SortedSet<String> spellings, List<Serving> instances) {}

  /** @param healthy null while the instance has not been checked yet */
  public record Serving(ClusterModels.Server server, Boolean healthy) {}

  /**
   * Whether nginx routes by model now, and why not when it does not.
   *
   * @param active nginx routes each request to the instances serving its model
   * @param reason why not, or null
   */
  public record Routing(boolean active, String reason, String unknownModel) {}

  private final InstanceRepository instances;
  private final ModelRepository models;
  private final Settings settings;
  private final Function<Long, Optional<HealthState>> health;
  private final boolean njs;

  /** @param njs whether nginx has njs, which routing by model needs */
  public ModelService(InstanceRepository instances, ModelRepository models, Settings settings,
      Function<Long, Optional<HealthState>> health, boolean njs) {
    this.instances = instances;
    this.models = models;
    this.settings = settings;
    this.health = health;
    this.njs = njs;
  }

  /** The models served now and whether nginx routes by them, read once. */
  public record Overview(Routing routing, List<ServedModel> models) {}

  public Overview overview() {
    List<ServedModel> all = all();
    return new Overview(routing(all), all);
  }

  private List<ServedModel> all() {
    List<ServedModel> all = new ArrayList<>();
    for (ClusterModels.Model model : ClusterModels.of(instances.all(), models.all()).values()) {
      all.add(new ServedModel(model.name(), model.spellings(), model.servers().stream()
          .map(server -> new Serving(server, health.apply(server.instance().id()).map(HealthState::healthy).orElse(null)))
          .toList()));
    }
    return all;
  }

  private Routing routing(List<ServedModel> all) {
    String unknown = settings.get(Setting.ROUTING_UNKNOWN_MODEL);
    if (!njs) {
      return new Routing(false, "nginx has no njs module (Debian: apt-get install libnginx-mod-http-js), so it"
          + " balances by load only; install it and restart the console to route by model", unknown);
    }
    if (settings.get(Setting.ROUTING_BY_MODEL).equals("off")) {
      return new Routing(false, "routing.by_model is off", unknown);
    }
    if (all.isEmpty()) {
      return new Routing(false, "no instance has told its models yet: requests go to the whole cluster", unknown);
    }
    return new Routing(true, null, unknown);
  }
}
