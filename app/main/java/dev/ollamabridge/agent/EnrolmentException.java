package dev.ollamabridge.agent;

/**
 * Joining failed, or the credentials of an earlier join cannot be used. The message is one line
 * that says why (the console's own reason when it refused), fit to print and exit with.
 */
public final class EnrolmentException extends RuntimeException {

  public EnrolmentException(String message) {
    super(message);
  }

  public EnrolmentException(String message, Throwable cause) {
    super(message, cause);
  }
}
