package dev.ollamabridge.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.ConsoleApp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** A browser without JavaScript: a session cookie, and the CSRF token of the last page it read. */
public final class Browser {

  private static final OkHttpClient HTTP = new OkHttpClient.Builder().followRedirects(false)
      .readTimeout(Duration.ofSeconds(90)).build();
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int port;
  private final String session;
  private String csrf;

  Browser(int port, String session) {
    this.port = port;
    this.session = session;
  }

  public static Browser loggedIn(ConsoleApp console, Path data) {
    String password;
    try {
      password = Files.readString(data.resolve("admin-password")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Request login = new Request.Builder().url("http://127.0.0.1:" + console.port() + "/login")
        .post(new FormBody.Builder().add("user", "admin").add("password", password).add("next", "/").build()).build();
    try (Response response = HTTP.newCall(login).execute()) {
      assertThat(response.code()).isEqualTo(303);
      String cookie = response.header("Set-Cookie");
      assertThat(cookie).startsWith(WebSecurity.COOKIE + "=");
      return new Browser(console.port(), cookie.substring(0, cookie.indexOf(';')));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Page get(String path) {
    Page page = send(new Request.Builder().url(url(path)).get());
    Matcher token = CSRF.matcher(page.body());
    if (token.find()) {
      csrf = token.group(1);
    }
    return page;
  }

  /** Posts a form as the page of the last GET would, with its CSRF token. */
  public Page post(String path, Map<String, String> fields) {
    if (csrf == null) {
      get("/");
    }
    FormBody.Builder form = new FormBody.Builder().add(WebSecurity.CSRF_FIELD, csrf);
    fields.forEach(form::add);
    return send(new Request.Builder().url(url(path)).post(form.build()));
  }

  Page postWithoutCsrf(String path, Map<String, String> fields) {
    FormBody.Builder form = new FormBody.Builder();
    fields.forEach(form::add);
    return send(new Request.Builder().url(url(path)).post(form.build()));
  }

  private String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  private Page send(Request.Builder request) {
    if (session != null) {
      request.header("Cookie", session);
    }
    try (Response response = HTTP.newCall(request.build()).execute()) {
      Map<String, String> headers = new LinkedHashMap<>();
      response.headers().forEach(pair -> headers.put(pair.getFirst().toLowerCase(Locale.ROOT), pair.getSecond()));
      return new Page(response.code(), response.body().string(), response.header("Location"), headers);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An answer of the console's REST API, asked with the admin token of its data directory. */
  static JsonNode api(ConsoleApp console, Path data, String path) {
    Request request = new Request.Builder().url("http://127.0.0.1:" + console.port() + "/api/v1" + path)
        .header("Authorization", "Bearer " + adminToken(data)).build();
    try (Response response = HTTP.newCall(request).execute()) {
      return JSON.readTree(response.body().string());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The status of a REST API answer to a given token. */
  static int apiStatus(ConsoleApp console, String path, String token) {
    Request request = new Request.Builder().url("http://127.0.0.1:" + console.port() + "/api/v1" + path)
        .header("Authorization", "Bearer " + token).build();
    try (Response response = HTTP.newCall(request).execute()) {
      return response.code();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String adminToken(Path data) {
    try {
      return Files.readString(data.resolve("admin-token")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
