package dev.ollamabridge.bridge.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.Usage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnswerCacheTest {

  private static final String KEY = "ab" + "0".repeat(62);
  private static final Answer ANSWER = new Answer("<think>x</think>Hello", "", "stop", new Usage(3, 5));

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock();

  @Test
  void anAnswerPutIsFoundAgain() {
    AnswerCache cache = cache(Duration.ofHours(1), 10);

    cache.put(KEY, ANSWER);

    assertThat(cache.get(KEY)).contains(ANSWER);
    assertThat(cache.stats().hits()).isEqualTo(1);
  }

  @Test
  void twoCachesOnOneDirectoryShareEntries() {
    AnswerCache writer = cache(Duration.ofHours(1), 10);
    AnswerCache reader = cache(Duration.ofHours(1), 10);

    writer.put(KEY, ANSWER);

    assertThat(reader.get(KEY)).contains(ANSWER);
  }

  @Test
  void aCorruptEntryIsAMissNotAnError() throws IOException {
    cache(Duration.ofHours(1), 10).put(KEY, ANSWER);
    Files.writeString(entryFile(), "{\"key\": trunc");

    AnswerCache fresh = cache(Duration.ofHours(1), 10);

    assertThat(fresh.get(KEY)).isEmpty();
    assertThat(fresh.stats().misses()).isEqualTo(1);
  }

  @Test
  void anEntryOlderThanTheTtlIsGoneFromBothTiers() {
    AnswerCache cache = cache(Duration.ofSeconds(60), 10);
    cache.put(KEY, ANSWER);

    clock.advance(Duration.ofSeconds(61));

    assertThat(cache.get(KEY)).isEmpty();
    assertThat(cache(Duration.ofSeconds(60), 10).get(KEY)).isEmpty();
    assertThat(entryFile()).doesNotExist();
  }

  @Test
  void theDiskKeepsNoMoreThanMaxEntries() throws IOException {
    AnswerCache cache = cache(Duration.ofHours(1), 3);

    for (int i = 0; i < 6; i++) {
      cache.put(String.format("%02d", i) + "f".repeat(62), ANSWER);
    }

    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(file -> file.toString().endsWith(".json")).count()).isLessThanOrEqualTo(3);
    }
    assertThat(cache.stats().evictions()).isPositive();
  }

  @Test
  void noTemporaryFileIsLeftBehind() throws IOException {
    cache(Duration.ofHours(1), 10).put(KEY, ANSWER);

    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.map(file -> file.getFileName().toString())).noneMatch(name -> name.endsWith(".tmp"));
    }
  }

  private AnswerCache cache(Duration ttl, long maxEntries) {
    return new AnswerCache(dir, ttl, maxEntries, clock);
  }

  private Path entryFile() {
    return dir.resolve(KEY.substring(0, 2)).resolve("answer-" + KEY + ".json");
  }

  /** A clock the test moves by hand, so expiry needs no sleeping. */
  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
