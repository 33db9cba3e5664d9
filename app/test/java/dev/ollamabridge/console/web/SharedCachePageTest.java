package dev.ollamabridge.console.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.console.ConsoleApp;
import dev.ollamabridge.console.ConsoleConfig;
import dev.ollamabridge.console.TestConsoles;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.testing.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Settings page's live part for the shared Redis, as a browser without JavaScript gets it: the
 * state of a real Redis that refuses the password, then is gone; and what a hostile "Redis" answers
 * (markup, control characters, the password echoed back) shown escaped, on one line, without the password.
 */
class SharedCachePageTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final String PASSWORD = "console-side-redis-pw";

  @TempDir Path data;
  @TempDir Path redisDir;
  private ConsoleApp console;

  @AfterEach
  void stop() {
    if (console != null) {
      console.close();
    }
  }

  @Test
  void aRedisThatRefusesThePasswordIsRefusedAndOneThatIsGoneIsUnreachable() {
    RedisServer.assumeInstalled();
    try (RedisServer redis = RedisServer.start(redisDir)) {
      Browser browser = start(redis.url());

      Page page = browser.get("/settings");

      assertThat(page.body()).contains("id=\"cache-live\"", "hx-get=\"/settings/cache\"",
          "data-field=\"redis-state\">refused<", "data-field=\"redis-url\">" + redis.url() + "<", "WRONGPASS");
      redis.kill();
      await().atMost(PATIENCE).until(() -> browser.get("/settings/cache").body(),
          body -> body.contains("data-field=\"redis-state\">unreachable<"));
    }
  }

  @Test
  void whatAHostileRedisSaysIsShownEscapedOnOneLineWithoutThePassword() throws Exception {
    try (ServerSocket hostile = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread answering = new Thread(() -> answerEverythingWith(hostile,
          "-WRONGPASS <script>alert(1)</script>\u001b[31m you sent " + PASSWORD + " " + "x".repeat(3000) + "\r\n"));
      answering.setDaemon(true);
      answering.start();
      Browser browser = start("redis://127.0.0.1:" + hostile.getLocalPort());

      String live = browser.get("/settings/cache").body();

      assertThat(live).contains("data-field=\"redis-state\">refused<", "&lt;script&gt;alert(1)&lt;/script&gt;",
          "(password)", "more)").doesNotContain("<script>alert", "\u001b", PASSWORD, "x".repeat(300));
      assertThat(browser.get("/settings").body()).doesNotContain("<script>alert", PASSWORD);
    }
  }

  private Browser start(String redisUrl) {
    ConsoleConfig config = TestConsoles.offline(data).withOperator(Setting.CACHE_REDIS_PASSWORD, PASSWORD);
    console = TestConsoles.start(config, data);
    assertThat(Browser.api(console, data, "/settings").path("cache.redis_password").asText()).isEqualTo("set");
    Browser browser = Browser.loggedIn(console, data);
    Page form = browser.get("/settings");
    assertThat(form.status()).isEqualTo(200);
    Page saved = browser.post("/settings", java.util.Map.of("cache.redis_url", redisUrl));
    assertThat(saved.status()).as(saved.body()).isEqualTo(303);
    return browser;
  }

  /** A "Redis" that answers whatever it is sent with one line. */
  private static void answerEverythingWith(ServerSocket server, String answer) {
    while (!server.isClosed()) {
      try (Socket client = server.accept()) {
        InputStream in = client.getInputStream();
        OutputStream out = client.getOutputStream();
        byte[] buffer = new byte[4096];
        while (in.read(buffer) > 0) {
          out.write(answer.getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      } catch (IOException e) {
        // the next client
      }
    }
  }
}
