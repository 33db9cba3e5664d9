package dev.ollamabridge.bridge.requestlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request log's files: rotated by size into PATH.1 … PATH.K, rid of old ones, owner-only. */
class RequestLogRotationTest {

  @TempDir Path dir;

  @Test
  void aFullLogIsRotatedAndOnlyKeepRotatedFilesAreKept() throws Exception {
    Path log = dir.resolve("requests.jsonl");
    AtomicLong dropped = new AtomicLong();
    try (RequestLog requestLog = RequestLog.open(log, new RequestLog.Retention(4096, 2, Duration.ofDays(30)), false,
        dropped::incrementAndGet)) {
      for (int i = 0; i < 100; i++) {
        requestLog.add(line("request-" + i));
      }
    }

    assertThat(names()).containsExactlyInAnyOrder("requests.jsonl", "requests.jsonl.1", "requests.jsonl.2");
    for (String name : names()) {
      Path file = dir.resolve(name);
      assertThat(Files.size(file)).as(name).isLessThanOrEqualTo(4096);
      assertThat(Files.getPosixFilePermissions(file)).as(name).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
    List<String> newest = Files.readAllLines(log);
    assertThat(newest.get(newest.size() - 1)).contains("\"id\":\"request-99\"");
    String previous = Files.readAllLines(dir.resolve("requests.jsonl.1")).get(0);
    String older = Files.readAllLines(dir.resolve("requests.jsonl.2")).get(0);
    assertThat(id(older)).isLessThan(id(previous)).isLessThan(id(newest.get(0)));
    assertThat(dropped).hasValue(0);
  }

  @Test
  void rotatedFilesOlderThanTheAgeAndBeyondKeepAreDeleted() throws Exception {
    Path log = dir.resolve("requests.jsonl");
    Path old = Files.writeString(dir.resolve("requests.jsonl.1"), "{}\n");
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(8))));
    Path recent = Files.writeString(dir.resolve("requests.jsonl.2"), "{}\n");
    Path beyondKeep = Files.writeString(dir.resolve("requests.jsonl.9"), "{}\n");
    Path another = Files.writeString(dir.resolve("other.jsonl.1"), "{}\n");
    Files.setLastModifiedTime(another, FileTime.from(Instant.now().minus(Duration.ofDays(80))));

    try (RequestLog requestLog = RequestLog.open(log, new RequestLog.Retention(4096, 5, Duration.ofDays(7)), false,
        () -> {})) {
      await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(old) && !Files.exists(beyondKeep));
    }

    assertThat(recent).exists();
    assertThat(another).as("another log's files are not this one's").exists();
  }

  @Test
  void aLineIsOnDiskWhileTheLogIsStillOpen() throws Exception {
    Path log = dir.resolve("nested/requests.jsonl");
    try (RequestLog requestLog = RequestLog.open(log, RequestLog.Retention.defaults(), false, () -> {})) {
      requestLog.add(line("tailed"));
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("\"id\":\"tailed\""));
      assertThat(Files.getPosixFilePermissions(log.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }
  }

  private List<String> names() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(file -> file.getFileName().toString()).toList();
    }
  }

  private static int id(String line) {
    return Integer.parseInt(line.replaceAll(".*\"id\":\"request-([0-9]+)\".*", "$1"));
  }

  private static RequestLogLine line(String id) {
    return new RequestLogLine(Instant.now(), id, null, null, "fake-llama", "fake-llama", "/api/chat", "ollama",
        "ollama", true, 200, "miss", 12, 3L, 10L, 5L, 120L, 800L, "127.0.0.1", 0, null, null, null);
  }
}
