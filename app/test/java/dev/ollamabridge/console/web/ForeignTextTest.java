package dev.ollamabridge.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.ConsoleApp;
import dev.ollamabridge.console.ConsoleConfig;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceChanges;
import dev.ollamabridge.console.instances.InstanceField;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text that came from a process, a backend or a user reaches the pages escaped, inside a region htmx
 * leaves alone, and the pages load htmx with its eval, its script tags and its cross-site requests off.
 * {@code HostileLogBrowserTest} proves the same in a browser.
 */
class ForeignTextTest {

  private static final String MARKUP = "XTTP/1.1 <img hidden src=/static/favicon.svg hx-post=\"/tokens\""
      + " hx-vals='{\"name\":\"pwned\"}' hx-trigger=\"load\">";

  @TempDir Path data;
  private ConsoleApp console;
  private Browser browser;

  @BeforeEach
  void start() {
    console = ConsoleApp.start(new ConsoleConfig(data, new HostPort("127.0.0.1", 0), false, "off", null));
    browser = Browser.loggedIn(console, data);
  }

  @AfterEach
  void stop() {
    if (console != null) {
      console.close();
    }
  }

  @Test
  void aBridgesLogIsEscapedTextInARegionHtmxLeavesAlone() throws IOException {
    Instance quiet = console.instances().create(
        InstanceChanges.of(Map.of(InstanceField.NAME, "quiet", InstanceField.ENABLED, false), null), "test");
    Files.createDirectories(data.resolve("logs"));
    Files.writeString(data.resolve("logs").resolve("quiet.log"), "started\n" + MARKUP + "\n<script>alert(1)</script>\n");

    Page log = browser.get("/instances/" + quiet.id() + "/logs");

    assertThat(log.status()).isEqualTo(200);
    assertThat(log.header("Content-Type")).startsWith("text/html");
    assertThat(log.body().strip()).isEqualTo("<code hx-disable>started\nXTTP/1.1 &lt;img hidden src=/static/favicon.svg"
        + " hx-post=\"/tokens\" hx-vals='{\"name\":\"pwned\"}' hx-trigger=\"load\"&gt;\n"
        + "&lt;script&gt;alert(1)&lt;/script&gt;</code>");
  }

  @Test
  void aLoginsUserFieldIsShownOnTheEventsPageAsText() {
    browser.postWithoutCsrf("/login", Map.of("user", MARKUP, "password", "wrong"));

    String events = browser.get("/events").body();

    assertThat(events).contains("<div class=\"table-wrap\" hx-disable>", "XTTP/1.1 &lt;img hidden")
        .doesNotContain("<img");
  }

  @Test
  void everyPageLoadsHtmxWithEvalScriptTagsAndForeignRequestsOff() {
    Page dashboard = browser.get("/");

    assertThat(dashboard.body()).contains("<meta name=\"htmx-config\" content='{\"includeIndicatorStyles\": false,"
        + " \"allowEval\": false, \"allowScriptTags\": false, \"selfRequestsOnly\": true, \"historyCacheSize\": 0}'>");
    assertThat(dashboard.header("Content-Security-Policy")).contains("script-src 'self'", "object-src 'none'")
        .doesNotContain("unsafe");
  }
}
