package dev.ollamabridge.console.hosts;

/** A join or a link refused, with the status to answer and one line saying why, for the agent to print. */
public final class JoinRefused extends RuntimeException {

  private final int status;

  public JoinRefused(int status, String reason) {
    super(reason);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
