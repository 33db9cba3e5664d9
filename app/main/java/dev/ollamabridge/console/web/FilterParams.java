package dev.ollamabridge.console.web;

import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A page's filters: each shown back as it was typed, and all of them again as the query string of a link. */
final class FilterParams {

  private FilterParams() {}

  /** The parameter as typed, without surrounding blanks; {@code ""} when absent. */
  static String value(Context ctx, String name) {
    String value = ctx.queryParam(name);
    return value == null ? "" : value.strip();
  }

  /** These parameters of the request that are set, as a query string, each value encoded. */
  static String query(Context ctx, List<String> names) {
    List<String> query = new ArrayList<>();
    for (String name : names) {
      String value = ctx.queryParam(name);
      if (value != null && !value.isBlank()) {
        query.add(name + "=" + URLEncoder.encode(value.strip(), StandardCharsets.UTF_8));
      }
    }
    return String.join("&", query);
  }
}
