package dev.ollamabridge.console.nginx;

import dev.ollamabridge.cli.HostPort;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One nginx configuration applied as a transaction: stage → {@code nginx -t} → swap → reload →
 * verify that nginx answers {@code /nginx-health} with {@code X-Config-Revision: <hash>}; a refused
 * candidate is dropped (the configuration in use keeps serving), and a reload or verify that fails
 * puts the last good file back and reloads it. The console's {@link NginxApplier} records its
 * outcomes as revisions; an agent applies its edge's configuration with it.
 *
 * <p>Not thread-safe: one apply at a time per target.
 */
public final class NginxTransaction {

  private static final Pattern REVISION = Pattern.compile("^# Revision (\\S+)$", Pattern.MULTILINE);
  private static final Duration POLL = Duration.ofMillis(50);

  /** How an apply ended. */
  public enum Result {
    /** nginx serves the configuration. */
    APPLIED,
    /** {@code nginx -t} refused it; the previous configuration keeps serving. */
    REJECTED,
    /** The reload or its verify failed, or the file could not be written; the last good one was restored. */
    FAILED;

    /** As revisions and reports spell it: {@code applied}, {@code rejected}, {@code failed}. */
    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * What an apply did.
   *
   * @param message one line: what happened, and for a failure why and what was restored
   * @param testOutput {@code nginx -t}'s output (with the reload's, after a failed reload or verify);
   *     null when nginx was not asked
   * @param alreadyServing nothing was done: the configuration in use is this text and nginx serves its hash
   */
  public record Outcome(Result result, String message, String testOutput, boolean alreadyServing) {

    public boolean applied() {
      return result == Result.APPLIED;
    }
  }

  private final NginxTarget target;
  private final OkHttpClient http;
  private final Duration verifyTimeout;

  /**
   * @param http asks {@code /nginx-health}; each ask is bounded to 2 s here
   * @param verifyTimeout how long nginx may take to serve a new configuration after its reload
   */
  public NginxTransaction(NginxTarget target, OkHttpClient http, Duration verifyTimeout) {
    this.target = target;
    this.http = http.newBuilder().callTimeout(Duration.ofSeconds(2)).build();
    this.verifyTimeout = verifyTimeout;
  }

  /**
   * Applies {@code config}, whose revision is {@code hash}, to the nginx listening on {@code listen}
   * (a wildcard address is dialled on loopback).
   */
  public Outcome apply(String config, String hash, HostPort listen) {
    try {
      if (config.equals(target.current()) && serves(hash, listen, Duration.ZERO)) {
        return new Outcome(Result.APPLIED, "already serving", null, true);
      }
      target.stage(config);
      Commands.Outcome test = target.test();
      if (!test.ok()) {
        target.unstage();
        return new Outcome(Result.REJECTED, "nginx -t refused the configuration; the previous one keeps serving",
            test.output(), false);
      }
      target.promote();
      Commands.Outcome reload = target.reload();
      if (reload.ok() && serves(hash, listen, verifyTimeout)) {
        return new Outcome(Result.APPLIED, "applied", test.output(), false);
      }
      String why = reload.ok() ? "nginx did not serve revision " + hash + " within " + verifyTimeout.toSeconds() + " s"
          : "reload failed: " + reload.output();
      target.restoreLastGood();
      target.reload();
      return new Outcome(Result.FAILED, why + "; the last good configuration was restored",
          test.output() + "\n" + reload.output(), false);
    } catch (IOException e) {
      return new Outcome(Result.FAILED, "could not write the configuration: " + e.getMessage(), null, false);
    }
  }

  /** Whether nginx answers {@code /nginx-health} with this revision, asking until the timeout. */
  public boolean serves(String hash, HostPort listen, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    do {
      if (served(listen, http).filter(hash::equals).isPresent()) {
        return true;
      }
      if (Instant.now().isAfter(deadline)) {
        return false;
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    } while (true);
  }

  /**
   * The revision the nginx on {@code listen} answers {@code /nginx-health} with now, asked once with
   * {@code http}'s timeouts; empty when it does not answer or names none.
   */
  public static Optional<String> served(HostPort listen, OkHttpClient http) {
    Request request = new Request.Builder().url("http://" + listen.dialAddress() + "/nginx-health").build();
    try (Response response = http.newCall(request).execute()) {
      return Optional.ofNullable(response.header("X-Config-Revision"));
    } catch (IOException notServing) {
      return Optional.empty(); // not (yet) listening
    }
  }

  /** The revision a rendered configuration names on its {@code # Revision <hash>} line; {@code unknown} without one. */
  public static String hashOf(String config) {
    Matcher matcher = REVISION.matcher(config);
    return matcher.find() ? matcher.group(1) : "unknown";
  }
}
