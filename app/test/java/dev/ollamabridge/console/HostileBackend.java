package dev.ollamabridge.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A backend that is someone else's server: a real HTTP listener on loopback whose answers the test
 * scripts byte for byte, per path. It answers what no honest backend would (a status line with
 * markup in it, model lists with names that collide by case, carry newlines or number in the
 * hundreds of thousands, answers that drip or never end), and otherwise enough of Ollama's API
 * ({@code /api/version}) for a bridge in front of it to report healthy.
 */
public final class HostileBackend implements AutoCloseable {

  /** What one request is answered with: written to the connection, which is then closed. */
  @FunctionalInterface
  public interface Answer {
    void write(OutputStream out) throws IOException, InterruptedException;
  }

  /** The bad status line of the issue: markup that htmx would act on if a page inserted it as HTML. */
  public static final String MARKUP_STATUS_LINE = "XTTP/1.1 <img hidden src=/static/favicon.svg hx-post=\"/tokens\""
      + " hx-vals='{\"name\":\"pwned\"}' hx-trigger=\"load\">";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServerSocket socket;
  private final ExecutorService connections = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "hostile-backend");
    thread.setDaemon(true);
    return thread;
  });
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  private HostileBackend() throws IOException {
    socket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    answers.put("GET /api/version", json("{\"version\":\"0.12.0\"}"));
    answers.put("GET /api/tags", models(List.of()));
    connections.execute(this::accept);
  }

  public static HostileBackend start() throws IOException {
    return new HostileBackend();
  }

  /** The base URL a bridge is pointed at (Ollama's dialect). */
  public String baseUrl() {
    return "http://127.0.0.1:" + socket.getLocalPort();
  }

  /** From now on, {@code method path} (e.g. {@code GET /api/tags}) is answered so. */
  public HostileBackend on(String methodAndPath, Answer answer) {
    answers.put(methodAndPath, answer);
    return this;
  }

  /** The requests seen so far, as {@code METHOD path}. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** These bytes, as they are, then the connection closes. */
  public static Answer raw(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return out -> out.write(bytes);
  }

  /** A well-formed 200 with this JSON body. */
  public static Answer json(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return out -> {
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
    };
  }

  /** A 200 whose JSON body comes one byte at a time, {@code every} apart: a backend that stalls. */
  public static Answer dripping(String body, java.time.Duration every) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return out -> {
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      for (byte b : bytes) {
        out.write(b);
        out.flush();
        Thread.sleep(every.toMillis());
      }
    };
  }

  /** A 200 whose chunked body never ends (until the peer hangs up): a backend that floods. */
  public static Answer endless() {
    byte[] chunk = ("1000\r\n" + "x".repeat(4096) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    return out -> {
      out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      while (true) {
        out.write(chunk);
      }
    };
  }

  /** {@code /api/tags} listing exactly these names, whatever they hold (JSON-escaped, nothing else). */
  public static Answer models(Collection<String> names) {
    ObjectNode tags = JSON.createObjectNode();
    ArrayNode list = tags.putArray("models");
    names.forEach(name -> list.addObject().put("name", name).put("model", name).put("size", 1)
        .put("modified_at", "2026-01-01T00:00:00Z"));
    return json(tags.toString());
  }

  /** {@code count} distinct names of {@code length} characters each, as a backend could list them. */
  public static List<String> manyNames(String prefix, int count, int length) {
    return java.util.stream.IntStream.range(0, count).mapToObj(i -> {
      String name = prefix + "-" + i + "-";
      return (name + "x".repeat(Math.max(0, length - name.length()))).toLowerCase(Locale.ROOT);
    }).toList();
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        Socket connection = socket.accept();
        connections.execute(() -> serve(connection));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket connection) {
    try (connection; InputStream in = connection.getInputStream(); OutputStream out = connection.getOutputStream()) {
      String head = readHead(in);
      if (head == null) {
        return;
      }
      String[] requestLine = head.lines().findFirst().orElse("").split(" ");
      String key = requestLine.length >= 2 ? requestLine[0] + " " + requestLine[1] : head;
      requests.add(key);
      skipBody(head, in);
      Answer answer = answers.getOrDefault(key, raw("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
          + "Content-Length: 21\r\nConnection: close\r\n\r\n{\"error\":\"not found\"}"));
      answer.write(out);
      out.flush();
    } catch (IOException | InterruptedException e) {
      // the peer went away, or the test is over
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    while ((b = in.read()) != -1) {
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
      if (head.size() > 65536) {
        return null;
      }
    }
    return null;
  }

  private static void skipBody(String head, InputStream in) throws IOException {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        in.readNBytes(Integer.parseInt(line.substring(15).strip()));
      }
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    connections.shutdownNow();
  }
}
