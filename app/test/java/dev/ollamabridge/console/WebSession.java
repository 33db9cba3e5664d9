package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** The web console as a browser without JavaScript uses it: a session cookie and the page's CSRF token. */
record WebSession(int port, String cookie) {

  private static final OkHttpClient HTTP = new OkHttpClient.Builder().followRedirects(false)
      .readTimeout(Duration.ofSeconds(60)).build();
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
  private static final Pattern TOKEN = Pattern.compile("value=\"(obt_[A-Za-z0-9_-]+)\"");

  static WebSession login(int port, String password) throws IOException {
    try (Response response = HTTP.newCall(loginRequest(port, password)).execute()) {
      assertThat(response.code()).as("logged in").isEqualTo(303);
      String cookie = response.header("Set-Cookie");
      return new WebSession(port, cookie.substring(0, cookie.indexOf(';')));
    }
  }

  static int loginStatus(int port, String password) throws IOException {
    try (Response response = HTTP.newCall(loginRequest(port, password)).execute()) {
      return response.code();
    }
  }

  private static Request loginRequest(int port, String password) {
    return new Request.Builder().url("http://127.0.0.1:" + port + "/login").post(new FormBody.Builder()
        .add("user", "admin").add("password", password).add("next", "/").build()).build();
  }

  String createToken(String name) throws IOException {
    return match(TOKEN, post("/tokens", Map.of("name", name)));
  }

  void changePassword(String current, String next) throws IOException {
    post("/password", Map.of("current_password", current, "new_password", next, "repeat_password", next));
  }

  String get(String path) throws IOException {
    try (Response response = HTTP.newCall(new Request.Builder().url(url(path)).header("Cookie", cookie).build()).execute()) {
      return response.body().string();
    }
  }

  String post(String path, Map<String, String> fields) throws IOException {
    String csrf = match(CSRF, get(path));
    FormBody.Builder form = new FormBody.Builder().add("_csrf", csrf);
    fields.forEach(form::add);
    try (Response response = HTTP.newCall(new Request.Builder().url(url(path)).header("Cookie", cookie)
        .post(form.build()).build()).execute()) {
      assertThat(response.code()).as("POST " + path).isIn(200, 303);
      return response.body().string();
    }
  }

  private String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** A POST as the page's form sends it, answered whole: status, headers and body bytes. */
  Response postRaw(String path, String pagePath, Map<String, String> fields) throws IOException {
    String csrf = match(CSRF, get(pagePath));
    FormBody.Builder form = new FormBody.Builder().add("_csrf", csrf);
    fields.forEach(form::add);
    return HTTP.newCall(new Request.Builder().url(url(path)).header("Cookie", cookie).post(form.build()).build()).execute();
  }

  static String match(Pattern pattern, String text) {
    Matcher matcher = pattern.matcher(text);
    assertThat(matcher.find()).as("%s in %s", pattern, text.length() > 2000 ? text.substring(0, 2000) : text).isTrue();
    return matcher.group(1);
  }
}
