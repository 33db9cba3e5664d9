package dev.ollamabridge.console.hosts;

/** No host (or join token) of that name: 404. */
public final class HostNotFound extends RuntimeException {

  public HostNotFound(String what) {
    super("no " + (what.startsWith("join token") ? what : "host named '" + what + "'"), null, false, false);
  }
}
