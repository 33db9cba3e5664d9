package dev.ollamabridge.console.web;

import dev.ollamabridge.console.auth.ApiToken;
import dev.ollamabridge.console.auth.ApiTokens;
import dev.ollamabridge.console.events.EventLog;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** {@code /tokens}: the REST API's Bearer tokens; a new one is shown once, a revoked one stops working at once. */
final class TokenPages {

  private final ApiTokens tokens;
  private final EventLog events;
  private final Pages pages;

  TokenPages(ApiTokens tokens, EventLog events, Pages pages) {
    this.tokens = tokens;
    this.events = events;
    this.pages = pages;
  }

  void list(Context ctx) {
    String revoked = ctx.queryParam("revoked");
    render(ctx, revoked == null ? Outcome.NONE
        : Outcome.notice("Token " + revoked + " was revoked: it no longer opens the API."), null, "", null);
  }

  /** The new token is in this answer only: it is not kept in clear, so no page can show it again. */
  void create(Context ctx) {
    String name = ctx.formParam("name") == null ? "" : ctx.formParam("name").strip();
    try {
      String token = tokens.create(name);
      events.record(WebRoutes.actor(ctx), "token.create", name, null);
      render(ctx, Outcome.NONE, new TokensPage.Created(name, token), "", null);
    } catch (ApiTokens.InvalidName e) {
      ctx.status(400);
      render(ctx, Outcome.NONE, null, name, e.getMessage());
    } catch (ApiTokens.NameTaken e) {
      ctx.status(409);
      render(ctx, Outcome.NONE, null, name, e.getMessage());
    }
  }

  void revoke(Context ctx) {
    long id = ctx.pathParamAsClass("id", Long.class).get();
    ApiToken token = tokens.list().stream().filter(t -> t.id() == id).findFirst()
        .orElseThrow(() -> new NotFoundResponse("no API token has id " + id));
    if (tokens.revoke(id)) {
      events.record(WebRoutes.actor(ctx), "token.revoke", token.name(), null);
    }
    ctx.redirect("/tokens?revoked=" + URLEncoder.encode(token.name(), StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
  }

  private void render(Context ctx, Outcome outcome, TokensPage.Created created, String name, String error) {
    pages.render(ctx, "tokens.jte", new TokensPage(WebRoutes.layout(ctx, "API tokens", "tokens"), outcome,
        tokens.list(), created, name, error));
  }
}
