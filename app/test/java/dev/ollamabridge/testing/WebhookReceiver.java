package dev.ollamabridge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;

/**
 * A webhook receiver on loopback (the JDK's HttpServer): records every POST's JSON body and answers
 * each with the next of its scripted statuses, then 200.
 */
public final class WebhookReceiver implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ConcurrentLinkedQueue<JsonNode> received = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedDeque<Integer> script = new ConcurrentLinkedDeque<>();

  public WebhookReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.createContext("/", exchange -> {
      try (exchange) {
        byte[] body = exchange.getRequestBody().readAllBytes();
        received.add(JSON.readTree(new String(body, StandardCharsets.UTF_8)));
        Integer status = script.poll();
        byte[] answer = (status == null || status < 300 ? "ok" : "receiver says no").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status == null ? 200 : status, answer.length);
        exchange.getResponseBody().write(answer);
      }
    });
    server.start();
  }

  /** The next answers, in order; after them each POST is answered 200. */
  public WebhookReceiver answering(Integer... statuses) {
    script.addAll(List.of(statuses));
    return this;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** Every body received so far, in order. */
  public List<JsonNode> received() {
    return List.copyOf(received);
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
