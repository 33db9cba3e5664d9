package dev.ollamabridge.console.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.console.edges.EdgeOverview;
import dev.ollamabridge.console.edges.EdgeRow;
import dev.ollamabridge.console.edges.EdgeService;
import io.javalin.http.Context;
import java.time.Instant;

/** {@code GET /api/v1/nginx/edges}: every edge, the revision it serves, its last attempt. */
final class EdgeRoutes {

  private final EdgeService edges;

  EdgeRoutes(EdgeService edges) {
    this.edges = edges;
  }

  void list(Context ctx) {
    EdgeOverview overview = edges.overview();
    ObjectNode json = JsonNodeFactory.instance.objectNode().put("revision", overview.revision())
        .put("revision_id", overview.revisionId()).put("applied_everywhere", overview.everywhere())
        .put("summary", overview.summary());
    ArrayNode all = json.putArray("edges");
    for (EdgeRow row : overview.edges()) {
      ObjectNode edge = all.addObject().put("host", row.host()).put("local", row.local()).put("state", row.state())
          .put("listen", row.listen()).put("served", row.served()).put("served_revision_id", row.servedRevisionId())
          .put("served_since", text(row.servedSince())).put("current", row.current()).put("nginx", row.nginx());
      if (row.attempt() == null) {
        edge.putNull("last_attempt");
      } else {
        edge.putObject("last_attempt").put("revision", row.attempt().hash()).put("result", row.attempt().result())
            .put("message", row.attempt().message()).put("output", row.attempt().output())
            .put("at", text(row.attempt().at()));
      }
    }
    ctx.json(json);
  }

  private static String text(Instant at) {
    return at == null ? null : at.toString();
  }
}
