package dev.ollamabridge.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The slowloris attack on a console: connections that each announce a body of 100,000 bytes, send
 * its first bytes, then one byte a second, never idle long enough for the server's idle timeout.
 */
final class DrippingBodies implements AutoCloseable {

  private static final String HEADERS = "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      + "Content-Type: %s\r\nContent-Length: 100000\r\n\r\n";

  private final int port;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();

  DrippingBodies(int port) {
    this.port = port;
    drip.scheduleWithFixedDelay(() -> sockets.forEach(DrippingBodies::dripOneByte), 1, 1, TimeUnit.SECONDS);
  }

  /** A connection that sent a request's headers and the first bytes of its body, and drips the rest. */
  Socket open(String path, String contentType) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    OutputStream out = socket.getOutputStream();
    out.write(HEADERS.formatted(path, contentType).getBytes(StandardCharsets.US_ASCII));
    out.write("user=admin&password=".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    sockets.add(socket);
    return socket;
  }

  /** {@code count} dripping logins. */
  void openLogins(int count) throws IOException {
    for (int i = 0; i < count; i++) {
      open("/login", "application/x-www-form-urlencoded");
    }
  }

  /** All the console sends back on {@code socket}, up to its closing the connection. */
  static String answerOf(Socket socket) throws IOException {
    socket.setSoTimeout(60_000);
    InputStream in = socket.getInputStream();
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  private static void dripOneByte(Socket socket) {
    try {
      socket.getOutputStream().write('a');
      socket.getOutputStream().flush();
    } catch (IOException answeredOrClosed) {
      // the console gave up on this one: nothing more to send
    }
  }

  @Override
  public void close() throws IOException {
    drip.shutdownNow();
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
