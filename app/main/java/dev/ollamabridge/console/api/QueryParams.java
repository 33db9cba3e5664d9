package dev.ollamabridge.console.api;

import io.javalin.http.Context;

/** Query parameters read through Javalin's validators, so a bad one is a 400 naming it. */
final class QueryParams {

  private QueryParams() {}

  /** An optional whole number within a range; Javalin's rules also see an absent value, as null. */
  static int integer(Context ctx, String name, int fallback, int min, int max) {
    return ctx.queryParamAsClass(name, Integer.class)
        .check(n -> n == null || (n >= min && n <= max), name + " must be an integer from " + min + " to " + max)
        .getOrDefault(fallback);
  }
}
