package dev.ollamabridge.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.ConsoleApp;
import dev.ollamabridge.console.ConsoleConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.SocketFactory;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password guessing against a real console, at its standard throttle (5 failures per address and
 * 20 for all addresses together in 15 minutes): parallel guesses, guesses from many addresses of
 * the loopback /8 (all local on Linux), and guesses at the change-password page's current password.
 */
class LoginThrottlingTest {

  @TempDir Path data;
  private ConsoleApp console;

  @BeforeEach
  void start() {
    console = ConsoleApp.start(new ConsoleConfig(data, new HostPort("127.0.0.1", 0), false, "off", null));
  }

  @AfterEach
  void stop() {
    console.close();
  }

  @Test
  void fortyParallelWrongPasswordsGetFiveChecksAndThe429sTellWhenToRetry() throws Exception {
    OkHttpClient client = from("127.0.0.1");
    ExecutorService pool = Executors.newFixedThreadPool(40);
    List<Callable<Answer>> guesses = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      int guess = i;
      guesses.add(() -> login(client, "wrong password " + guess));
    }

    List<Answer> answers = new ArrayList<>();
    for (Future<Answer> answer : pool.invokeAll(guesses)) {
      answers.add(answer.get());
    }
    pool.shutdown();

    assertThat(answers).filteredOn(answer -> answer.status() == 401).hasSize(5);
    assertThat(answers).filteredOn(answer -> answer.status() == 429).hasSize(35)
        .allSatisfy(refused -> assertThat(Long.parseLong(refused.retryAfter())).isBetween(1L, 15 * 60L))
        .allSatisfy(refused -> assertThat(refused.body()).contains("Too many failed logins from 127.0.0.1"));
    assertThat(events("login.failed")).hasSize(5);
    assertThat(login(client, password()).status()).as("the right password, too, waits").isEqualTo(429);
  }

  @Test
  void wrongPasswordsFromManyAddressesShareOneCap() {
    List<Integer> statuses = new ArrayList<>();
    for (int address = 2; address <= 7; address++) {
      OkHttpClient client = from("127.0.0." + address);
      for (int guess = 0; guess < 5; guess++) {
        statuses.add(login(client, "wrong password " + guess).status());
      }
    }

    Answer fresh = login(from("127.0.0.8"), password());

    assertThat(statuses).as("six addresses of five tries each").hasSize(30);
    assertThat(statuses).filteredOn(status -> status == 401).hasSize(20);
    assertThat(statuses).filteredOn(status -> status == 429).hasSize(10);
    assertThat(events("login.failed")).hasSize(20);
    assertThat(fresh.status()).as("an address that never failed").isEqualTo(429);
    assertThat(fresh.body()).contains("Too many failed logins on this console");
    assertThat(fresh.retryAfter()).isNotNull();
  }

  @Test
  void aWrongCurrentPasswordIsThrottledAndRecordedAsAFailedLogin() {
    Browser browser = Browser.loggedIn(console, data);
    browser.get("/password");
    List<Page> wrong = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      wrong.add(browser.post("/password", Map.of("current_password", "not the password " + i,
          "new_password", "a new password of some length", "repeat_password", "a new password of some length")));
    }

    Page right = browser.post("/password", Map.of("current_password", password(),
        "new_password", "a new password of some length", "repeat_password", "a new password of some length"));

    assertThat(wrong.subList(0, 5)).allSatisfy(page -> {
      assertThat(page.status()).isEqualTo(400);
      assertThat(page.body()).contains("this is not the current password");
    });
    assertThat(wrong.get(5).status()).isEqualTo(429);
    assertThat(wrong.get(5).header("Retry-After")).isNotNull();
    assertThat(wrong.get(5).body()).contains("Too many failed logins from 127.0.0.1");
    assertThat(right.status()).as("the right one, too, waits").isEqualTo(429);
    assertThat(events("password.failed")).hasSize(5)
        .allSatisfy(event -> assertThat(event.path("actor").asText()).isEqualTo("web:127.0.0.1"));
    assertThat(login(from("127.0.0.1"), password()).status()).as("one throttle for both pages").isEqualTo(429);
    assertThat(login(from("127.0.0.2"), password()).status()).as("the password was not changed").isEqualTo(303);
  }

  @Test
  void aRightPasswordAfterSomeWrongOnesLogsInAndForgivesThem() {
    OkHttpClient client = from("127.0.0.1");
    for (int i = 0; i < 4; i++) {
      assertThat(login(client, "wrong password " + i).status()).isEqualTo(401);
    }

    assertThat(login(client, password()).status()).isEqualTo(303);
    for (int i = 0; i < 5; i++) {
      assertThat(login(client, "wrong password " + i).status()).as("guess %d after the login", i + 1).isEqualTo(401);
    }
  }

  private record Answer(int status, String retryAfter, String body) {}

  private Answer login(OkHttpClient client, String password) {
    Request request = new Request.Builder().url("http://127.0.0.1:" + console.port() + "/login")
        .post(new FormBody.Builder().add("user", "admin").add("password", password).add("next", "/").build()).build();
    try (Response response = client.newCall(request).execute()) {
      return new Answer(response.code(), response.header("Retry-After"), response.body().string());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<JsonNode> events(String action) {
    List<JsonNode> found = new ArrayList<>();
    Browser.api(console, data, "/events?action=" + action).path("events").forEach(found::add);
    return found;
  }

  private String password() {
    try {
      return Files.readString(data.resolve("admin-password")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client whose connections come from {@code address}, one of the loopback /8. */
  private static OkHttpClient from(String address) {
    return new OkHttpClient.Builder().followRedirects(false).readTimeout(Duration.ofSeconds(90))
        .socketFactory(new BoundSockets(address)).build();
  }

  private static final class BoundSockets extends SocketFactory {

    private final InetSocketAddress local;

    BoundSockets(String address) {
      try {
        this.local = new InetSocketAddress(InetAddress.getByName(address), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public Socket createSocket() throws IOException {
      Socket socket = new Socket();
      socket.bind(local);
      return socket;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      Socket socket = createSocket();
      socket.connect(new InetSocketAddress(host, port));
      return socket;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
      throw new UnsupportedOperationException("this factory chooses the local address");
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      Socket socket = createSocket();
      socket.connect(new InetSocketAddress(host, port));
      return socket;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
      throw new UnsupportedOperationException("this factory chooses the local address");
    }
  }
}
