package dev.ollamabridge.console.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader of nginx's answers log: only what is new, through rotation, truncation and hostile lines. */
class AnswerLogTest {

  @TempDir Path dir;
  private AnswerLog log;

  @AfterEach
  void close() {
    log.close();
  }

  @Test
  void whatTheLogHeldBeforeTheFirstReadIsHistoryAndEachReadCountsOnlyWhatWasAppended() throws IOException {
    Path file = dir.resolve("answers.jsonl");
    append(file, line(502) + line(404));
    log = new AnswerLog(file);

    assertThat(log.read()).isEqualTo(new AnswerLog.Counts(0, 0, 0));
    append(file, line(502) + line(404) + line(200));
    assertThat(log.read()).isEqualTo(new AnswerLog.Counts(3, 1, 1));
    assertThat(log.read()).isEqualTo(new AnswerLog.Counts(0, 0, 0));
  }

  @Test
  void aFileThatAppearsLaterIsReadFromItsStart() throws IOException {
    Path file = dir.resolve("answers.jsonl");
    log = new AnswerLog(file);
    assertThat(log.read()).isEqualTo(new AnswerLog.Counts(0, 0, 0));

    append(file, line(503));
    assertThat(log.read()).isEqualTo(new AnswerLog.Counts(1, 0, 1));
  }

  @Test
  void aHalfWrittenLineIsCountedOnceItsEndArrives() throws IOException {
    Path file = readOnce();

    append(file, "{\"time\":\"t\",\"sta");
    assertThat(log.read().answers()).isZero();
    append(file, "tus\":\"429\"}\n");
    assertThat(log.read()).isEqualTo(new AnswerLog.Counts(1, 1, 0));
  }

  @Test
  void aRotatedFileIsReadToItsEndThenTheNewOneFromItsStart() throws IOException {
    Path file = readOnce();
    append(file, line(502));
    assertThat(log.read().answers()).isEqualTo(1);

    append(file, line(502) + line(502));
    Files.move(file, dir.resolve("answers.jsonl.1"));
    append(file, line(404));
    assertThat(log.read()).isEqualTo(new AnswerLog.Counts(3, 1, 2));
  }

  @Test
  void whatALateWorkerWritesIntoTheRotatedFileIsCountedAtTheNextRead() throws IOException {
    Path file = readOnce();
    Path old = dir.resolve("answers.jsonl.1");
    append(file, line(502));
    assertThat(log.read().answers()).isEqualTo(1);

    Files.move(file, old);
    assertThat(log.read().answers()).as("moved, and no new file yet").isZero();
    append(old, line(502));
    append(file, line(404));
    assertThat(log.read()).isEqualTo(new AnswerLog.Counts(2, 1, 1));
    append(old, line(503));
    assertThat(log.read()).isEqualTo(new AnswerLog.Counts(1, 0, 1));
    append(old, line(503));
    assertThat(log.read().answers()).as("the rotated file is read once after the switch, then let go").isZero();
  }

  @Test
  void theFileIsMovedAsideOnlyPastTheLimitAndReadToItsEnd() throws IOException {
    Path file = readOnce();
    Path aside = dir.resolve("answers.jsonl.1");
    append(file, line(502).repeat(10));
    assertThat(log.moveAside(aside, 100)).as("not read yet").isFalse();
    log.read();
    assertThat(log.moveAside(aside, 100_000)).as("below the limit").isFalse();
    assertThat(log.moveAside(aside, 100)).isTrue();
    assertThat(file).doesNotExist();
    assertThat(aside).exists();

    append(file, line(502));
    assertThat(log.read().answers()).isEqualTo(1);
  }

  @Test
  void aTruncatedFileIsReadAgainFromItsStart() throws IOException {
    Path file = readOnce();
    append(file, line(502) + line(502) + line(502));
    assertThat(log.read().answers()).isEqualTo(3);

    Files.writeString(file, line(413), StandardOpenOption.TRUNCATE_EXISTING);
    assertThat(log.read()).isEqualTo(new AnswerLog.Counts(1, 1, 0));
  }

  @Test
  void hostileLinesAreSkippedAndTheNextGoodLineCounts() throws IOException {
    Path file = readOnce();

    append(file, "x".repeat(10 * AnswerLog.MAX_LINE) + "{\"status\":\"502\"}\n"
        + "not json\n"
        + "{\"status\":\"999\"}\n"
        + "{\"status\":\"-1\"}\n"
        + "{\"status\":[\"502\"]}\n"
        + "[1,2]\n"
        + "\n"
        + "{\"status\":\"502\"" + " ".repeat(2 * AnswerLog.MAX_LINE) + "}\n"
        + "\u0000\u00ff\n"
        + line(500));
    assertThat(log.read()).isEqualTo(new AnswerLog.Counts(1, 0, 1));
  }

  @Test
  void aReadTakesAtMostItsShareAndTheNextReadGoesOn() throws IOException {
    Path file = readOnce();
    String one = line(502);
    int lines = AnswerLog.MAX_READ / one.length() + 1000;
    append(file, one.repeat(lines));

    long first = log.read().answers();
    long second = log.read().answers();
    assertThat(first).isLessThan(lines);
    assertThat(first + second).isEqualTo(lines);
  }

  /** A reader of a log that does not exist yet, read once: what is written from here on is new. */
  private Path readOnce() {
    Path file = dir.resolve("answers.jsonl");
    log = new AnswerLog(file);
    assertThat(log.read()).isEqualTo(new AnswerLog.Counts(0, 0, 0));
    return file;
  }

  private static String line(int status) {
    return "{\"time\":\"2026-12-07T07:00:00+00:00\",\"status\":\"" + status + "\"}\n";
  }

  private static void append(Path file, String text) throws IOException {
    Files.write(file, text.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
