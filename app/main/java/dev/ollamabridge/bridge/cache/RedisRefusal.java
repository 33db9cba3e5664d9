package dev.ollamabridge.bridge.cache;

import io.lettuce.core.RedisCommandExecutionException;

/**
 * Tells a Redis that refuses its client (a password or an ACL refused) from one that is away: the
 * first is an operator's mistake to name, the second an outage to ride out. The bridges' tier and the
 * console's probe read Lettuce's failures the same way.
 */
public final class RedisRefusal {

  private RedisRefusal() {}

  /** Whether Redis's answer refuses the client's credentials. */
  public static boolean isRefusal(String answer) {
    return answer.startsWith("WRONGPASS") || answer.startsWith("NOAUTH") || answer.startsWith("NOPERM")
        || answer.contains("AUTH") && answer.contains("without any password configured");
  }

  /** The innermost cause, or the first answer of Redis itself (a command refused) on the way there. */
  public static Throwable answerOrRoot(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause && !(cause instanceof RedisCommandExecutionException)) {
      cause = cause.getCause();
    }
    return cause;
  }
}
