package dev.ollamabridge.console.supervise;

import dev.ollamabridge.cli.HostPort;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.Optional;

/** Tells before a launch (or before an instance is stored) whether a program will be able to listen where it is told to. */
public final class PortCheck {

  private PortCheck() {}

  /** Why {@code host:port} cannot be listened on now, or empty when it can. */
  static Optional<String> problem(String host, int port) {
    return attempt(host, port).map(Refusal::message);
  }

  /** Why {@code host:port} is taken by another program now, or empty when nothing listens there. */
  public static Optional<String> inUse(String host, int port) {
    return attempt(host, port).filter(Refusal::inUse).map(Refusal::message);
  }

  private record Refusal(boolean inUse, String message) {}

  private static Optional<Refusal> attempt(String host, int port) {
    String address = new HostPort(host, port).toString();
    InetAddress inet;
    try {
      inet = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return Optional.of(new Refusal(false, "host " + host + " is unknown"));
    }
    try (ServerSocket socket = new ServerSocket()) {
      // the program will set SO_REUSEADDR too, so connections in TIME_WAIT do not make a port "taken"
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(inet, port));
      return Optional.empty();
    } catch (BindException e) {
      return Optional.of(String.valueOf(e.getMessage()).contains("in use")
          ? new Refusal(true, address + " is already in use by another program")
          : new Refusal(false, "cannot listen on " + address + ": " + e.getMessage()));
    } catch (IOException e) {
      return Optional.of(new Refusal(false, "cannot listen on " + address + ": " + e.getMessage()));
    }
  }
}
