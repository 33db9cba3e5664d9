package dev.ollamabridge.console.api;

import dev.ollamabridge.console.instances.InvalidInput;
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

  /** An optional {@code true} or {@code false}; null when absent. */
  static Boolean bool(Context ctx, String name) {
    String value = ctx.queryParam(name);
    if (value == null) {
      return null;
    }
    if (!value.equals("true") && !value.equals("false")) {
      throw new InvalidInput(name, name + " must be true or false");
    }
    return Boolean.valueOf(value);
  }
}
