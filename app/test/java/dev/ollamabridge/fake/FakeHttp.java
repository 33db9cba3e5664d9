package dev.ollamabridge.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A plain HTTP client of one fake (one shared connection pool), and readers of what fakes answer. */
final class FakeHttp {

  static final ObjectMapper JSON = new ObjectMapper();

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private final String baseUrl;

  FakeHttp(FakeOllama fake) {
    this(fake.baseUrl());
  }

  /** A client of a fake in a process of its own, e.g. {@code http://127.0.0.1:40123}. */
  FakeHttp(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return HTTP.send(
        request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** POSTs and reads the answer as JSON, whatever its status. */
  JsonNode postForJson(String path, String body) throws IOException, InterruptedException {
    return json(post(path, body).body());
  }

  HttpResponse<String> get(String path, String authorization) throws IOException, InterruptedException {
    HttpRequest.Builder request = request(path).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) throws IOException, InterruptedException {
    return HTTP.send(request, body);
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(10));
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The data of each server-sent event, in order. */
  static List<String> sseData(String body) {
    List<String> data = new ArrayList<>();
    for (String event : body.split("\n\n")) {
      if (event.startsWith("data: ")) {
        data.add(event.substring("data: ".length()));
      }
    }
    return data;
  }

  /** The JSON of each line of an NDJSON body, in order. */
  static List<JsonNode> lines(String body) {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : body.split("\n")) {
      lines.add(json(line));
    }
    return lines;
  }

  /** {@code fake-ollama} as its command line runs it, on a free port, with these flags; its log on its output. */
  static Process command(String... flags) throws IOException {
    List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.ollamabridge.Main", "fake-ollama", "-l", "127.0.0.1:0"));
    argv.addAll(List.of(flags));
    return new ProcessBuilder(argv).redirectErrorStream(true).start();
  }

  /** The base URL a fake-ollama process says it listens on, read from its log. */
  static String listeningAt(BufferedReader log) throws IOException {
    Pattern listening = Pattern.compile("listening on (http://\\S+)");
    for (String line = log.readLine(); line != null; line = log.readLine()) {
      Matcher matcher = listening.matcher(line);
      if (matcher.find()) {
        return matcher.group(1);
      }
    }
    throw new AssertionError("fake-ollama ended without saying where it listens");
  }
}
