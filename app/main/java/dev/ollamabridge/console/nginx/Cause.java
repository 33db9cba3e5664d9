package dev.ollamabridge.console.nginx;

import dev.ollamabridge.logs.LogText;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Why nginx was applied, in the words the revision list shows ({@code weight b1 3→7 by web:admin},
 * {@code health: b2 down}, {@code models: b2 +llama3}), and whether the console did it by itself.
 * The text may carry names from outside (a model a backend lists), so it is kept on one line and
 * bounded; the pages escape it as any other text.
 *
 * @param rollbackTo the revision a rollback applies again; null for any other apply
 */
public record Cause(String text, boolean automatic, Long rollbackTo) {

  /** The longest cause kept; a longer one is cut with a note of how much was left off. */
  static final int MAX_CHARS = 300;
  /** The actors the console acts as by itself; any other is someone, through the web pages or an API token. */
  private static final Set<String> CONSOLE_ACTORS = Set.of("health", "models", "console", "supervisor");

  public Cause {
    text = LogText.oneLine(text == null || text.isBlank() ? "unknown" : text, MAX_CHARS);
  }

  /** A change this actor made: automatic when the actor is the console itself. */
  public static Cause of(String actor, String text) {
    return new Cause(text, CONSOLE_ACTORS.contains(actor), null);
  }

  /** A rollback to an earlier revision, which someone always asks for. */
  static Cause rollback(long to, String actor) {
    return new Cause("rollback to " + to + " by " + actor, false, to);
  }

  /** The causes one apply serves, in the order they came, each once; automatic only if all of them are. */
  static Cause merged(List<Cause> causes) {
    Set<String> texts = new LinkedHashSet<>();
    causes.forEach(cause -> texts.add(cause.text()));
    return new Cause(String.join("; ", texts), causes.stream().allMatch(Cause::automatic), null);
  }
}
