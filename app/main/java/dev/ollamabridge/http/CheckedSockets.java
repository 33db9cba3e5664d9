package dev.ollamabridge.http;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import javax.net.SocketFactory;

/**
 * Sockets that connect only where an {@link AddressPolicy} allows, checked on the resolved address
 * in {@link Socket#connect}, the one step every connection goes through: a client built with this
 * factory (and no proxy, and a connection pool of its own) reaches no other address, whatever its
 * URLs, their names' answers or their redirects say. A refused address is never connected to.
 */
public final class CheckedSockets extends SocketFactory {

  private final AddressPolicy policy;

  public CheckedSockets(AddressPolicy policy) {
    this.policy = policy;
  }

  @Override
  public Socket createSocket() {
    return new CheckedSocket(policy);
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
    return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
  }

  private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
    Socket socket = createSocket();
    try {
      if (local != null) {
        socket.bind(local);
      }
      socket.connect(remote);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /** What a socket throws instead of connecting to an address the policy refuses. */
  public static final class RefusedAddressException extends ConnectException {
    RefusedAddressException(SocketAddress address) {
      super(CallFailures.addresses(String.valueOf(address)) + " is not an address this client may connect to");
    }
  }

  private static final class CheckedSocket extends Socket {
    private final AddressPolicy policy;

    CheckedSocket(AddressPolicy policy) {
      this.policy = policy;
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      if (!(endpoint instanceof InetSocketAddress address) || !policy.allows(address)) {
        throw new RefusedAddressException(endpoint);
      }
      super.connect(endpoint, timeout);
    }
  }
}
