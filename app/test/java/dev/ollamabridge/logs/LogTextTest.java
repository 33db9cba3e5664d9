package dev.ollamabridge.logs;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Outside text in a log line: one line, nothing a terminal or a browser would act on, bounded. */
class LogTextTest {

  private static final String HOSTILE_STATUS_LINE = "XTTP/1.1 <img hidden src=/static/favicon.svg hx-post=\"/tokens\" "
      + "hx-vals='{\"name\":\"pwned\"}' hx-trigger=\"load\">";

  @Test
  void aLineBreakBecomesAnEscapeSoNoSecondLineCanBeForged() {
    String forged = "llama3\n2026-01-01T00:00:00.000Z INFO  c.events - admin deleted instance 1\r\u2028\u2029\u0085";

    assertThat(LogText.oneLine(forged))
        .isEqualTo("llama3\\n2026-01-01T00:00:00.000Z INFO  c.events - admin deleted instance 1\\r\\u2028\\u2029\\u0085");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u001b[2J", "\u0000", "\u0007", "\u007f", "\u202e", "\u2066", "\u200f", "\ufeff", "\t"})
  void controlAndInvisibleFormatCharactersAreEscaped(String character) {
    String line = LogText.oneLine("a" + character + "b");

    assertThat(line).startsWith("a\\").endsWith("b").doesNotContain(character);
    assertThat(line.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
  }

  @Test
  void markupIsEscapedAndPlainTextIsLeftAsItIs() {
    assertThat(LogText.oneLine(HOSTILE_STATUS_LINE)).isEqualTo("XTTP/1.1 \\u003cimg hidden src=/static/favicon.svg "
        + "hx-post=\"/tokens\" hx-vals='{\"name\":\"pwned\"}' hx-trigger=\"load\"\\u003e");
    assertThat(LogText.oneLine("the web console's admin password → café 🦙 (Ollama)"))
        .isEqualTo("the web console's admin password → café 🦙 (Ollama)");
  }

  @Test
  void aLoneSurrogateIsEscapedAndAPairIsKept() {
    assertThat(LogText.oneLine("\ud83e\udd99 \ud83e")).isEqualTo("\ud83e\udd99 \\ud83e");
  }

  @Test
  void aLongTextIsCutAndSaysHowMuchWasLeftOff() {
    String line = LogText.oneLine("x".repeat(LogText.MAX_CHARS + 500));

    assertThat(line).isEqualTo("x".repeat(LogText.MAX_CHARS) + "…(500 more)");
  }

  @Test
  void theCapCountsEscapesAndNeverSplitsOne() {
    String line = LogText.oneLine("<".repeat(LogText.MAX_CHARS));

    assertThat(line).startsWith("\\u003c").endsWith("\\u003c…(" + (LogText.MAX_CHARS - LogText.MAX_CHARS / 6) + " more)");
    assertThat(line.length()).isLessThanOrEqualTo(LogText.MAX_CHARS + "…(2000 more)".length());
  }

  @Test
  @SuppressWarnings("unchecked")
  void theJarsLogConfigurationWritesAHostileMessageAndExceptionAsEscapedLines() throws Exception {
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getResource("/logback.xml"));
    Logger logger = context.getLogger("dev.ollamabridge.bridge.Upstream");
    Encoder<ILoggingEvent> encoder =
        ((ConsoleAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).getEncoder();
    ProtocolException cause = new ProtocolException("Unexpected status line: " + HOSTILE_STATUS_LINE + "\nforged");

    String written = new String(encoder.encode(new LoggingEvent(Logger.class.getName(), logger, Level.WARN,
        "the upstream {} is unreachable: {}", new IllegalStateException("wrapped\nforged", cause),
        new Object[] {"http://127.0.0.1:11434", cause.toString()})), StandardCharsets.UTF_8);
    context.stop();

    String[] lines = written.split("\n");
    assertThat(lines[0]).contains("WARN").endsWith("the upstream http://127.0.0.1:11434 is unreachable: "
        + "java.net.ProtocolException: Unexpected status line: " + LogText.oneLine(HOSTILE_STATUS_LINE) + "\\nforged");
    assertThat(lines[1]).isEqualTo("java.lang.IllegalStateException: wrapped\\nforged");
    assertThat(lines).anyMatch(line -> line.startsWith("Caused by: java.net.ProtocolException: Unexpected status line: XTTP/1.1 \\u003cimg"));
    assertThat(lines).allMatch(line -> !line.contains("<") && !line.startsWith("forged"));
  }
}
