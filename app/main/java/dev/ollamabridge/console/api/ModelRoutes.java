package dev.ollamabridge.console.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.console.models.ModelService;
import io.javalin.http.Context;
import java.util.Locale;

/** {@code GET /api/v1/models}: each model, the instances serving it and where the name comes from; and the routing. */
final class ModelRoutes {

  private final ModelService models;

  ModelRoutes(ModelService models) {
    this.models = models;
  }

  void list(Context ctx) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    ModelService.Overview overview = models.overview();
    ModelService.Routing routing = overview.routing();
    body.putObject("routing").put("by_model", routing.active()).put("reason", routing.reason())
        .put("unknown_model", routing.unknownModel());
    ArrayNode list = body.putArray("models");
    for (ModelService.ServedModel model : overview.models()) {
      ObjectNode entry = list.addObject().put("name", model.name());
      model.spellings().forEach(entry.putArray("spellings")::add);
      ArrayNode instances = entry.putArray("instances");
      for (ModelService.Serving serving : model.instances()) {
        ObjectNode instance = instances.addObject()
            .put("id", serving.server().instance().id())
            .put("name", serving.server().instance().name())
            .put("enabled", serving.server().instance().enabled())
            .put("healthy", serving.healthy())
            .put("source", serving.server().source().name().toLowerCase(Locale.ROOT))
            .put("listed_as", serving.server().listedAs())
            .put("backend_name", serving.server().backendName());
        if (serving.server().seenAt() != null) {
          instance.put("seen_at", serving.server().seenAt().toString());
        }
      }
    }
    ctx.json(body);
  }
}
