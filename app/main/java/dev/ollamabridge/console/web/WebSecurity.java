package dev.ollamabridge.console.web;

import dev.ollamabridge.console.auth.Sessions;
import dev.ollamabridge.console.auth.Sessions.Session;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/**
 * What every page answer passes through: the security headers, a session (else to /login), and for
 * a state change the session's CSRF token, sent by htmx in a header or by a plain form in a field.
 */
final class WebSecurity {

  static final String COOKIE = "ob_session";
  static final String CSRF_HEADER = "X-CSRF-Token";
  static final String CSRF_FIELD = "_csrf";
  private static final String SESSION = "web.session";
  private static final Set<HandlerType> CHANGES = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH,
      HandlerType.DELETE);
  private static final String CSP = String.join("; ",
      "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
      "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'");

  private final Sessions sessions;

  WebSecurity(Sessions sessions) {
    this.sessions = sessions;
  }

  /** On every answer of the console, the API's included: they cost nothing and forbid framing and sniffing. */
  static void headers(Context ctx) {
    ctx.header("Content-Security-Policy", CSP)
        .header("X-Frame-Options", "DENY")
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "same-origin");
  }

  /** Before a page: without a session, to /login; a change without the session's CSRF token, 403. */
  void requireSession(Context ctx) {
    Optional<Session> session = sessions.find(ctx.cookie(COOKIE));
    if (session.isEmpty()) {
      String login = "/login?next=" + URLEncoder.encode(ctx.path(), StandardCharsets.UTF_8);
      if (ctx.header("HX-Request") != null) {
        ctx.status(401).header("HX-Redirect", login);
      } else if (CHANGES.contains(ctx.method())) {
        ctx.status(401).contentType("text/plain").result("log in first: " + login);
      } else {
        ctx.redirect(login, io.javalin.http.HttpStatus.SEE_OTHER);
      }
      ctx.skipRemainingHandlers();
      return;
    }
    if (CHANGES.contains(ctx.method()) && !sessions.csrfMatches(session.get(), csrfToken(ctx))) {
      ctx.status(403).contentType("text/plain; charset=utf-8")
          .result("refused: the request did not carry this session's CSRF token; reload the page and try again");
      ctx.skipRemainingHandlers();
      return;
    }
    ctx.header("Cache-Control", "no-store");
    ctx.attribute(SESSION, session.get());
  }

  private static String csrfToken(Context ctx) {
    String header = ctx.header(CSRF_HEADER);
    if (header != null) {
      return header;
    }
    String type = ctx.contentType();
    return type != null && type.startsWith("application/x-www-form-urlencoded") ? ctx.formParam(CSRF_FIELD) : null;
  }

  static Session session(Context ctx) {
    return ctx.attribute(SESSION);
  }

  /** The session cookie: HttpOnly, SameSite=Strict, and Secure when the console was reached over TLS. */
  static void setCookie(Context ctx, String value, boolean expire) {
    ctx.header("Set-Cookie", COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict"
        + (expire ? "; Max-Age=0" : "") + (ctx.req().isSecure() ? "; Secure" : ""));
  }
}
