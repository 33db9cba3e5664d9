package dev.ollamabridge.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.ConsoleApp;
import dev.ollamabridge.console.ConsoleConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Where a real login sends the browser: to the page it came from when that is a path of this
 * console, else to the dashboard, whatever {@code next} carries. Each value is sent as it would be
 * on the wire (form-encoded), so the decoded field is what the console sees.
 */
class NextAfterLoginTest {

  private static final OkHttpClient HTTP = new OkHttpClient.Builder().followRedirects(false)
      .readTimeout(Duration.ofSeconds(90)).build();

  /** Each form-encoded as sent: the first is the reproduction, a tab that browsers drop. */
  static final List<String> ELSEWHERE = List.of(
      "/%09/example.com",
      "/%0d%0a/example.com",
      "/%0aLocation:%20https://example.com",
      "/%5Cexample.com",
      "/%5C/example.com",
      "%2F%2Fexample.com",
      "//example.com",
      "///example.com",
      "/%2509/example.com",
      "/%252F%252Fexample.com",
      "/%2F%2Fexample.com",
      "%20/%2F/example.com",
      "/%00/example.com",
      "/%E2%80%AE/example.com",
      "https://example.com/",
      "https%3A%2F%2Fexample.com%2F",
      "http:example.com",
      "javascript:alert(1)",
      "example.com",
      "/login?next=//example.com",
      "/" + "a".repeat(5000));

  static final List<String> HERE = List.of("/instances/3", "/nginx/revisions/12", "/events?action=login", "/files/nginx.conf",
      "/");

  @TempDir static Path data;
  private static ConsoleApp console;
  private static String password;

  @BeforeAll
  static void start() throws IOException {
    console = ConsoleApp.start(new ConsoleConfig(data, new HostPort("127.0.0.1", 0), false, "off", null));
    password = Files.readString(data.resolve("admin-password")).strip();
  }

  @AfterAll
  static void stop() {
    console.close();
  }

  @ParameterizedTest
  @FieldSource("ELSEWHERE")
  void aNextThatCouldLeaveTheConsoleSendsToTheDashboard(String encodedNext) throws IOException {
    assertThat(locationAfterLogin(encodedNext)).isEqualTo("/");
  }

  @ParameterizedTest
  @FieldSource("HERE")
  void aPathOfTheConsoleIsWhereTheLoginSends(String next) throws IOException {
    assertThat(locationAfterLogin(next)).isEqualTo(next);
  }

  private String locationAfterLogin(String encodedNext) throws IOException {
    Request login = new Request.Builder().url("http://127.0.0.1:" + console.port() + "/login")
        .post(new FormBody.Builder().add("user", "admin").add("password", password).addEncoded("next", encodedNext).build())
        .build();
    try (Response response = HTTP.newCall(login).execute()) {
      assertThat(response.code()).isEqualTo(303);
      return response.header("Location");
    }
  }
}
