package dev.ollamabridge.console.hosts;

/** What only a host's agent can answer (a log tail, its supervisor.conf) while it is not connected. */
public final class HostUnavailable extends RuntimeException {

  public HostUnavailable(String message) {
    super(message);
  }
}
