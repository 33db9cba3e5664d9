package dev.ollamabridge.console.instances;

import java.util.regex.Pattern;

/**
 * What an instance's secrets (its upstream key and client keys) may be, and how they are shown.
 *
 * <p>A key travels to its bridge through an environment variable, set by the console or by
 * supervisord from an {@code environment=KEY="value"} line. supervisord splits that line with a
 * non-POSIX shlex (no escapes, so no {@code "} inside the quotes), then strips every quote at
 * both ends of the value; before that it replaces {@code %(here)s} in the text of an included file
 * whatever precedes it, so {@code %(} cannot be escaped; client keys are joined with commas. A key
 * that passes {@link #check} arrives byte for byte.
 */
public final class BridgeSecrets {

  public static final String RULE = "printable ASCII without spaces, commas, double quotes or '%(' (supervisord's"
      + " expansion), neither starting nor ending with a single quote, 1 to 512 characters";
  /** Printable ASCII but space, {@code "} and {@code ,}; the rest of the rule is {@link #supervisordCarries}. */
  private static final Pattern KEY = Pattern.compile("[\\x21\\x23-\\x2B\\x2D-\\x7E]{1,512}");
  private static final int SHOWN = 4;
  private static final int SHOWN_FROM_LENGTH = 16;

  private BridgeSecrets() {}

  /** Whether {@code key} reaches the bridge unchanged on every path; see {@link #RULE}. */
  public static boolean check(String key) {
    return key != null && KEY.matcher(key).matches() && supervisordCarries(key);
  }

  /**
   * Whether a double-quoted {@code environment=} value arrives unchanged through supervisord: no
   * {@code "}, no single quote at either end, no {@code %(}.
   */
  public static boolean supervisordCarries(String value) {
    return !value.contains("\"") && !value.startsWith("'") && !value.endsWith("'") && !value.contains("%(");
  }

  /** Enough of a secret to recognise it, never enough to use it: at most its last four characters. */
  public static String mask(String secret) {
    if (secret == null) {
      return null;
    }
    return secret.length() < SHOWN_FROM_LENGTH ? "****" : "…" + secret.substring(secret.length() - SHOWN);
  }
}
