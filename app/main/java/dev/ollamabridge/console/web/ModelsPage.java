package dev.ollamabridge.console.web;

import dev.ollamabridge.console.models.ModelService;
import java.util.List;
import java.util.Locale;

/** The cluster's models: each with the instances serving it, and whether nginx routes by them. */
public record ModelsPage(Layout layout, ModelService.Routing routing, List<Row> models) {

  /** One model and its instances. */
  public record Row(String name, List<Serving> instances) {}

  /**
   * One instance serving a model, as shown: its name, health word and tone, and where the claim
   * comes from ({@code discovered}, {@code pinned}, {@code alias of …}).
   */
  public record Serving(long id, String name, String health, String tone, String source) {}

  static ModelsPage of(Layout layout, ModelService models) {
    ModelService.Overview overview = models.overview();
    List<Row> rows = overview.models().stream().map(model -> new Row(model.name(), model.instances().stream()
        .map(serving -> {
          var server = serving.server();
          String health = !server.instance().enabled() ? "disabled"
              : serving.healthy() == null ? "checking" : serving.healthy() ? "healthy" : "unhealthy";
          String source = switch (server.source()) {
            case ALIAS -> "alias of " + server.backendName();
            default -> server.source().name().toLowerCase(Locale.ROOT);
          } + (server.listedAs().equals(model.name()) ? "" : ", as " + server.listedAs());
          return new Serving(server.instance().id(), server.instance().name(), health, InstanceRow.healthTone(health),
              source);
        }).toList())).toList();
    return new ModelsPage(layout, overview.routing(), rows);
  }
}
