package dev.ollamabridge.console.api;

import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceService;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/sd/bridges}: every enabled bridge as a target group of Prometheus' HTTP service
 * discovery, which prometheus.yml points at, so that a bridge added anywhere is scraped without an
 * edit there. Its address is the one the console itself dials for health checks and metrics.
 */
final class DiscoveryRoutes {

  /** One entry of the list, as Prometheus reads it. */
  record TargetGroup(List<String> targets, Map<String, String> labels) {}

  private final InstanceService instances;

  DiscoveryRoutes(InstanceService instances) {
    this.instances = instances;
  }

  void bridges(Context ctx) {
    ctx.json(instances.list().stream().filter(Instance::enabled).map(instance -> {
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("instance_name", instance.name());
      labels.put("host", instance.host());
      labels.put("role", instance.role());
      return new TargetGroup(List.of(instance.reachableAddress()), labels);
    }).toList());
  }
}
