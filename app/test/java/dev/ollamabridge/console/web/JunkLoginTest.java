package dev.ollamabridge.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.ConsoleApp;
import dev.ollamabridge.console.ConsoleConfig;
import dev.ollamabridge.console.events.EventLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Junk sent to the login form does not fill the console: a failed login is one event of bounded size,
 * its user field kept on one line, and the console's log gains no line the sender wrote.
 */
class JunkLoginTest {

  /** A user field of about a megabyte, each line of it dressed as a log line of the console's. */
  private static final String JUNK_USER;

  static {
    StringBuilder user = new StringBuilder();
    for (int line = 0; user.length() < 1_000_000; line++) {
      user.append("\n2026-01-01T00:00:00.000Z INFO  d.o.console.events.EventLog - web:admin token.create forged-")
          .append(line).append(' ').append("x".repeat(880));
    }
    JUNK_USER = user.toString();
  }

  @TempDir Path data;
  private ConsoleApp console;
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger eventLogger = (Logger) LoggerFactory.getLogger(EventLog.class);

  @BeforeEach
  void start() {
    console = ConsoleApp.start(new ConsoleConfig(data, new HostPort("127.0.0.1", 0), false, "off", null));
    logged.start();
    eventLogger.addAppender(logged);
  }

  @AfterEach
  void stop() {
    eventLogger.detachAppender(logged);
    if (console != null) {
      console.close();
    }
  }

  @Test
  void tenMegabyteUserNamesWithNewlinesLeaveSmallSingleLineEvents() throws IOException {
    Browser anonymous = new Browser(console.port(), null);
    long before = databaseBytes();

    for (int attempt = 0; attempt < 10; attempt++) {
      Page refused = anonymous.postWithoutCsrf("/login", Map.of("user", JUNK_USER + attempt, "password", "wrong"));
      assertThat(refused.status()).as("a refusal: wrong user, too many tries, or a field too long").isIn(400, 401, 429);
    }

    List<JsonNode> failed = new ArrayList<>();
    Browser.api(console, data, "/events?action=login.failed&limit=100").path("events").forEach(failed::add);
    assertThat(failed).as("failed logins recorded").isNotEmpty();
    for (JsonNode event : failed) {
      String target = event.path("target").asText();
      assertThat(target).startsWith("2026-01-01T00:00:00.000Z INFO").endsWith(" more)").contains("…(")
          .doesNotContain("\n", "\r").hasSizeLessThan(250);
    }
    assertThat(databaseBytes() - before).as("console.db and its write-ahead log grew by").isLessThan(1024 * 1024);
    List<String> lines = logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertThat(lines).as("what EventLog logged").isNotEmpty()
        .allSatisfy(line -> assertThat(line).doesNotContain("\n", "\r").hasSizeLessThan(3000));
  }

  private long databaseBytes() throws IOException {
    long bytes = 0;
    for (String file : new String[] {"console.db", "console.db-wal"}) {
      Path path = data.resolve(file);
      bytes += Files.exists(path) ? Files.size(path) : 0;
    }
    return bytes;
  }
}
