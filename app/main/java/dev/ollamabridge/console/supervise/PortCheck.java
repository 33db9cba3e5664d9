package dev.ollamabridge.console.supervise;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.Optional;

/** Tells before a launch whether a program will be able to listen where it is told to. */
final class PortCheck {

  private PortCheck() {}

  /** Why {@code host:port} cannot be listened on now, or empty when it can. */
  static Optional<String> problem(String host, int port) {
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return Optional.of("host " + host + " is unknown");
    }
    try (ServerSocket socket = new ServerSocket()) {
      // the program will set SO_REUSEADDR too, so connections in TIME_WAIT do not make a port "taken"
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(address, port));
      return Optional.empty();
    } catch (BindException e) {
      return Optional.of(String.valueOf(e.getMessage()).contains("in use")
          ? "port " + port + " on " + host + " is already in use"
          : "cannot listen on " + host + ":" + port + ": " + e.getMessage());
    } catch (IOException e) {
      return Optional.of("cannot listen on " + host + ":" + port + ": " + e.getMessage());
    }
  }
}
