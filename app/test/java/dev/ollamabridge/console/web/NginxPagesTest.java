package dev.ollamabridge.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.ConsoleApp;
import dev.ollamabridge.console.ConsoleConfig;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nginx page with a console that runs its own nginx on a free port: an applied change, a
 * rollback, and a settings change nginx refuses, with nginx's own words shown.
 */
class NginxPagesTest {

  @TempDir Path data;
  private ConsoleApp console;

  private final int nginxPort = TestPorts.listenPort();
  private Browser browser;

  @BeforeEach
  void start() {
    console = ConsoleApp.start(new ConsoleConfig(data, new HostPort("127.0.0.1", 0), false, "managed",
        "127.0.0.1:" + nginxPort));
    browser = Browser.loggedIn(console, data);
  }

  /**
   * Closes the console; the nginx it leaves running on purpose is killed after the test by
   * {@link dev.ollamabridge.testing.LeftoverProcesses}, from its pid file in {@link #data}.
   */
  @AfterEach
  void stop() {
    if (console != null) {
      // the console first, or its supervisor starts the nginx killed next again (into a directory being deleted)
      console.close();
    }
  }

  @Test
  void aChangedSettingIsAppliedAndAnEarlierRevisionRolledBack() {
    Page apply = browser.post("/nginx/apply", Map.of());
    assertThat(apply.status()).isEqualTo(303);
    // the console applied at its start: nginx serves this already
    assertThat(apply.location()).startsWith("/nginx?unchanged=");
    long first = Long.parseLong(apply.location().replace("/nginx?unchanged=", ""));
    assertThat(browser.get("/nginx").body()).contains("action=\"/nginx/apply\"", "id=\"no-changes\"",
        "serving revision " + first);

    assertThat(browser.post("/nginx/settings", Map.of("nginx.keepalive", "17")).location()).isEqualTo("/nginx?saved");
    long second = appliedRevisionWith("keepalive 17;");
    assertThat(second).isGreaterThan(first);
    Page revision = browser.get("/nginx/revisions/" + second);
    assertThat(revision.body()).contains("Diff against revision " + first, "-        keepalive 32;", "+        keepalive 17;");

    Page rollback = browser.post("/nginx/revisions/" + first + "/rollback", Map.of());

    assertThat(rollback.status()).isEqualTo(303);
    long third = Long.parseLong(rollback.location().replace("/nginx?applied=", ""));
    Page nginx = browser.get(rollback.location());
    assertThat(nginx.body()).contains("Revision " + third + " applied", "rollback to revision " + first,
        "serving revision " + third)
        .as("the settings still say 17, so an apply would change the served config back")
        .contains("+        keepalive 17;");
  }

  @Test
  void settingsNginxRefusesArePutBackAndNginxsWordsShown() throws IOException {
    Path junk = Files.writeString(data.resolve("tls/not-a-certificate.pem"), "not a certificate\n");

    Page refused = browser.post("/nginx/settings", Map.of("nginx.tls_cert", junk.toString(), "nginx.tls_key",
        junk.toString()));

    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.body()).contains("the settings were not kept", "What <code>nginx -t</code> said", "PEM");
    assertThat(Browser.api(console, data, "/settings").path("nginx.tls_cert").asText()).isEmpty();
  }

  /** The newest applied revision whose text has this line, found by what it carries rather than by its place. */
  private long appliedRevisionWith(String line) {
    for (JsonNode revision : Browser.api(console, data, "/nginx/revisions").path("revisions")) {
      if (revision.path("result").asText().equals("applied")
          && Browser.api(console, data, "/nginx/revisions/" + revision.path("id").asLong()).path("config").asText()
              .lines().anyMatch(text -> text.strip().equals(line))) {
        return revision.path("id").asLong();
      }
    }
    throw new AssertionError("no applied revision has the line " + line);
  }

}
