package dev.ollamabridge.console.cache;

import dev.ollamabridge.logs.LogText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Asks a Redis whether the bridges could use it: AUTH (when there is a password) and PING, in RESP
 * over one short-lived socket, within a bounded time. A tiny exchange rather than a client library:
 * two commands, answered by one line each, which is all the console needs to know.
 *
 * <p>Whatever Redis answers is hostile: a line is read up to {@value #MAX_LINE} bytes and shown on
 * one line, escaped, shortened.
 */
public final class RedisProbe {

  /** Longer answers are cut: a PING is answered by five bytes. */
  static final int MAX_LINE = 512;
  private static final int SHOWN = 200;

  private final Duration timeout;

  public RedisProbe(Duration timeout) {
    this.timeout = timeout;
  }

  /** The state of the target now: never throws, an off target is {@link RedisState#off()}. */
  public RedisState probe(RedisTarget target) {
    Instant now = Instant.now();
    if (!target.on()) {
      return RedisState.off();
    }
    URI url = URI.create(target.url());
    String host = url.getHost().replaceAll("^\\[|\\]$", "");
    try (Socket socket = open(url.getScheme().equals("rediss"), host, url.getPort())) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      if (target.password() != null) {
        out.write(command("AUTH", target.password()));
        out.flush();
        String auth = line(in);
        if (!auth.equals("+OK")) {
          return RedisState.refused(url(target), shown(auth.replace(target.password(), "(password)")), now);
        }
      }
      out.write(command("PING"));
      out.flush();
      String ping = target.password() == null ? line(in) : line(in).replace(target.password(), "(password)");
      if (ping.equals("+PONG")) {
        return RedisState.connected(url(target), now);
      }
      if (ping.startsWith("-NOAUTH") || ping.startsWith("-WRONGPASS") || ping.startsWith("-NOPERM")) {
        return RedisState.refused(url(target), shown(ping), now);
      }
      return RedisState.unreachable(url(target), "PING answered " + shown(ping), now);
    } catch (IOException | RuntimeException e) {
      return RedisState.unreachable(url(target), LogText.oneLine(e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()), SHOWN), now);
    }
  }

  private Socket open(boolean tls, String host, int port) throws IOException {
    int millis = (int) timeout.toMillis();
    Socket plain = new Socket();
    try {
      plain.connect(new InetSocketAddress(host, port), millis);
      plain.setSoTimeout(millis);
      if (!tls) {
        return plain;
      }
      SSLSocket secure = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(plain, host, port, true);
      var parameters = secure.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      secure.setSSLParameters(parameters);
      secure.startHandshake();
      return secure;
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  /** A RESP array of bulk strings: the password travels as bytes with their length, never parsed as a line. */
  static byte[] command(String... words) {
    StringBuilder text = new StringBuilder("*").append(words.length).append("\r\n");
    for (String word : words) {
      byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
      text.append('$').append(bytes.length).append("\r\n").append(word).append("\r\n");
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** One answer line without its CRLF, at most {@value #MAX_LINE} bytes (the rest is not read). */
  static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\n' && line.size() < MAX_LINE) {
      if (b != '\r') {
        line.write(b);
      }
    }
    if (b == -1 && line.size() == 0) {
      throw new IOException("the connection closed without an answer");
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  private static String shown(String answer) {
    return LogText.oneLine(answer.startsWith("-") || answer.startsWith("+") ? answer.substring(1) : answer, SHOWN);
  }

  private static String url(RedisTarget target) {
    return target.url();
  }
}
