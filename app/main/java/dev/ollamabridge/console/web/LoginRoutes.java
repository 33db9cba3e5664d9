package dev.ollamabridge.console.web;

import dev.ollamabridge.console.auth.AdminAccount;
import dev.ollamabridge.console.auth.LoginThrottle;
import dev.ollamabridge.console.auth.Sessions;
import dev.ollamabridge.console.events.EventLog;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** {@code /login}, {@code /logout} and {@code /password}: who may use the pages. */
final class LoginRoutes {

  private static final String REPEAT_PASSWORD = "repeat_password";
  /** What a page of the console is reached by; the login sends nowhere else. */
  private static final Pattern SAFE_NEXT = Pattern.compile("/(?!/)[A-Za-z0-9._~/?=&+-]{0,1000}");

  private final AdminAccount admin;
  private final Sessions sessions;
  private final LoginThrottle throttle;
  private final EventLog events;
  private final Pages pages;

  LoginRoutes(AdminAccount admin, Sessions sessions, LoginThrottle throttle, EventLog events, Pages pages) {
    this.admin = admin;
    this.sessions = sessions;
    this.throttle = throttle;
    this.events = events;
    this.pages = pages;
  }

  void form(Context ctx) {
    if (sessions.find(ctx.cookie(WebSecurity.COOKIE)).isPresent()) {
      ctx.redirect("/", HttpStatus.SEE_OTHER);
      return;
    }
    pages.render(ctx, "login.jte", new LoginPage(null, next(ctx.queryParam("next")), passwordFile()));
  }

  /**
   * A try is taken from the throttle before the password is checked, so parallel guesses get no
   * more checks than the throttle has tries; after too many failures, 429 until it has one again.
   */
  void login(Context ctx) {
    String client = ctx.ip();
    String next = next(ctx.formParam("next"));
    LoginThrottle.Attempt attempt = throttle.reserve(client);
    if (!attempt.allowed()) {
      ctx.status(429).header("Retry-After", Long.toString(attempt.retryAfterSeconds()));
      pages.render(ctx, "login.jte", new LoginPage(tooMany(attempt, client), next, passwordFile()));
      return;
    }
    String user = ctx.formParam("user");
    if (!admin.verify(user, ctx.formParam("password"))) {
      events.record("web:" + client, "login.failed", user == null ? null : user.strip(), "wrong user or password");
      ctx.status(401);
      pages.render(ctx, "login.jte", new LoginPage("Wrong user or password.", next, passwordFile()));
      return;
    }
    attempt.succeeded();
    WebSecurity.setCookie(ctx, sessions.create(AdminAccount.USER).id(), false);
    events.record("web:" + AdminAccount.USER, "login", AdminAccount.USER, "from " + client);
    ctx.redirect(next, HttpStatus.SEE_OTHER);
  }

  void logout(Context ctx) {
    sessions.end(WebSecurity.session(ctx).id());
    WebSecurity.setCookie(ctx, "", true);
    events.record("web:" + AdminAccount.USER, "logout", AdminAccount.USER, null);
    ctx.redirect("/login", HttpStatus.SEE_OTHER);
  }

  void passwordForm(Context ctx) {
    pages.render(ctx, "password.jte", new PasswordPage(WebRoutes.layout(ctx, "Password", "password"), Map.of(), false));
  }

  /**
   * A new password ends every other session: whoever else was logged in must log in again. The
   * current password is checked under the login throttle, and a wrong one is a failed login too.
   * Every field's problem is answered at once: a wrong current password, a new one that breaks the
   * rule, a repetition that differs.
   */
  void changePassword(Context ctx) {
    Layout layout = WebRoutes.layout(ctx, "Password", "password");
    String current = ctx.formParam(AdminAccount.CURRENT_PASSWORD);
    String fresh = ctx.formParam(AdminAccount.NEW_PASSWORD);
    boolean repeated = fresh != null && fresh.equals(ctx.formParam(REPEAT_PASSWORD));
    String client = ctx.ip();
    LoginThrottle.Attempt attempt = throttle.reserve(client);
    if (!attempt.allowed()) {
      ctx.status(429).header("Retry-After", Long.toString(attempt.retryAfterSeconds()));
      pages.render(ctx, "password.jte", new PasswordPage(layout, Map.of(AdminAccount.CURRENT_PASSWORD,
          tooMany(attempt, client)), false));
      return;
    }
    Map<String, String> problems = new LinkedHashMap<>();
    try {
      if (repeated) {
        admin.change(current, fresh);
      } else {
        problems.putAll(admin.problems(current, fresh));
      }
    } catch (AdminAccount.PasswordRefused e) {
      problems.putAll(e.problems());
    }
    if (!repeated) {
      problems.put(REPEAT_PASSWORD, "the two new passwords differ: type the new one twice");
    }
    if (!problems.isEmpty()) {
      if (problems.containsKey(AdminAccount.CURRENT_PASSWORD)) {
        events.record("web:" + client, "password.failed", AdminAccount.USER, "wrong current password");
      } else {
        attempt.succeeded(); // the current password was right; the new one is refused
      }
      ctx.status(400);
      pages.render(ctx, "password.jte", new PasswordPage(layout, problems, false));
      return;
    }
    attempt.succeeded();
    sessions.endAllBut(WebSecurity.session(ctx).id());
    events.record("web:" + AdminAccount.USER, "password.change", AdminAccount.USER, "other sessions ended");
    pages.render(ctx, "password.jte", new PasswordPage(layout, Map.of(), true));
  }

  /** Where the first password is, while it is there and still the password; else null. */
  private String passwordFile() {
    return admin.firstPasswordFile().map(Path::toString).orElse(null);
  }

  private static String tooMany(LoginThrottle.Attempt refused, String client) {
    return (refused.allClientsRefused() ? "Too many failed logins on this console" : "Too many failed logins from " + client)
        + ": try again in " + refused.retryAfterSeconds() + " s.";
  }

  /**
   * Only a path of this console, of letters, digits and {@code -._~/?=&+}, and not {@code //}:
   * never another site, however the link was made (a tab, a newline, a backslash, an encoded or an
   * absolute URL); anything else goes to the dashboard.
   */
  private static String next(String given) {
    return given != null && SAFE_NEXT.matcher(given).matches() && !given.startsWith("/login") ? given : "/";
  }
}
