package dev.ollamabridge.bridge.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.bridge.cache.CacheEntries.Stored;
import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.Usage;
import dev.ollamabridge.digest.Sha256;
import dev.ollamabridge.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Redis tier against a real redis-server: what it stores, and what it refuses to believe when reading back. */
class RedisTierTest {

  private static final int CAP = 4096;

  @TempDir Path dir;
  private RedisServer redis;
  private RedisTier tier;
  private RedisClient raw;
  private RedisCommands<String, byte[]> values;

  @BeforeEach
  void start() {
    redis = RedisServer.start(dir);
    tier = new RedisTier(RedisAddress.parse(redis.url()), redis.password(), Duration.ofHours(1), CAP, Clock.systemUTC(),
        RedisTier.Observer.NONE);
    raw = RedisClient.create(RedisURI.builder().withHost(redis.host()).withPort(redis.port())
        .withPassword(redis.password().toCharArray()).build());
    values = raw.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE)).sync();
  }

  @AfterEach
  void stop() {
    if (raw != null) {
      raw.shutdown();
    }
    if (tier != null) {
      tier.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void aRepetitiveAnswerIsStoredGzippedAndReadBackWhole() {
    String key = key("repetitive");
    Stored entry = entry("the same words again and again ".repeat(50));

    tier.put(key, entry);

    byte[] stored = await().until(() -> values.get(RedisTier.PREFIX + key), value -> value != null);
    assertThat(stored[0]).isEqualTo(RedisValues.GZIP);
    assertThat(stored.length).isLessThan(entry.answer().content().length() / 4);
    assertThat(values.pttl(RedisTier.PREFIX + key)).isBetween(Duration.ofMinutes(59).toMillis(), Duration.ofHours(1).toMillis());
    assertThat(tier.get(key)).contains(entry);
  }

  @Test
  void anUncompressedValueOfThisKeyIsAHit() {
    String key = key("plain");
    Stored entry = entry("stored by a bridge that found gzip did not pay");
    values.set(RedisTier.PREFIX + key, plain(CacheEntries.json(key, entry)));

    assertThat(tier.get(key)).contains(entry);
  }

  @Test
  void anAnswerOverTheCapIsNotStored() throws Exception {
    String big = key("big");
    byte[] noise = new byte[CAP];
    new SecureRandom().nextBytes(noise);
    tier.put(big, entry(HexFormat.of().formatHex(noise)));
    String small = key("small");
    tier.put(small, entry("short"));

    await().until(() -> values.exists(RedisTier.PREFIX + small) == 1);
    assertThat(values.exists(RedisTier.PREFIX + big)).as("the writes go in order: the big one was refused").isZero();
  }

  @Test
  void corruptForeignAndOversizedValuesAreMisses() throws Exception {
    String garbage = key("garbage");
    values.set(RedisTier.PREFIX + garbage, "zthis is not gzip".getBytes(StandardCharsets.UTF_8));
    String unknownMarker = key("marker");
    values.set(RedisTier.PREFIX + unknownMarker, "{\"key\":1}".getBytes(StandardCharsets.UTF_8));
    String otherKey = key("other");
    values.set(RedisTier.PREFIX + otherKey, plain(CacheEntries.json(key("someone else"), entry("not yours"))));
    String oversized = key("oversized");
    values.set(RedisTier.PREFIX + oversized, plain(new byte[CAP * 4]));
    String bomb = key("bomb");
    values.set(RedisTier.PREFIX + bomb, gzipped(new byte[CAP * 64]));
    String hash = key("hash");
    raw.connect().sync().hset(RedisTier.PREFIX + hash, "field", "value");
    String notJson = key("not json");
    values.set(RedisTier.PREFIX + notJson, plain("<html>".getBytes(StandardCharsets.UTF_8)));

    for (String key : new String[] {garbage, unknownMarker, otherKey, oversized, bomb, hash, notJson}) {
      assertThat(tier.get(key)).as(key).isEmpty();
    }
    assertThat(tier.errors()).as("a bad value is a miss, not a Redis failure").isZero();
    assertThat(tier.status().state()).isEqualTo(RedisTier.State.CONNECTED);
  }

  @Test
  void aWrongPasswordIsRefusedAndSaysWhy() {
    try (RedisTier wrong = new RedisTier(RedisAddress.parse(redis.url()), "not-the-password", Duration.ofHours(1), CAP,
        Clock.systemUTC(), RedisTier.Observer.NONE)) {
      assertThat(wrong.get(key("any"))).isEmpty();
      await().untilAsserted(() -> assertThat(wrong.status().state()).isEqualTo(RedisTier.State.REFUSED));
      assertThat(wrong.status().error()).contains("WRONGPASS").doesNotContain("not-the-password");
    }
  }

  @Test
  void redisGoneIsAMissAtOnceAndBackItIsUsedAgain() {
    String key = key("survives");
    redis.kill();

    assertThat(tier.get(key)).isEmpty();
    await().untilAsserted(() -> assertThat(tier.status().state()).isEqualTo(RedisTier.State.UNREACHABLE));
    await().untilAsserted(() -> assertThat(tier.errors()).as("failed probes").isPositive());

    redis.restart();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      tier.put(key, entry("back"));
      assertThat(tier.get(key)).map(stored -> stored.answer().content()).contains("back");
    });
    assertThat(tier.status().state()).isEqualTo(RedisTier.State.CONNECTED);
  }

  @Test
  void aRedisThatStopsAnsweringCostsOneCommandTimeoutThenNoWaitUntilItAnswersAgain() {
    redis.pause();
    try {
      // an unbounded wait would hang here; the bound is the tier's 200 ms, the 20 s only catches a hang
      assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
        assertThat(tier.get(key("hung"))).isEmpty();
        assertThat(tier.get(key("hung"))).as("the breaker is open: no second wait").isEmpty();
      });
      assertThat(tier.status().state()).isEqualTo(RedisTier.State.UNREACHABLE);
      // the command's own timeout says so; under heavy load the tier's probe may meanwhile have found the link lost
      assertThat(tier.status().error()).containsAnyOf("no answer within 200 ms", "connection lost");
    } finally {
      redis.resume();
    }
    await().atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(tier.status().state()).isEqualTo(RedisTier.State.CONNECTED));
  }

  private static String key(String name) {
    return Sha256.hex(name);
  }

  private static Stored entry(String content) {
    return new Stored(new Answer(content, "", "stop", new Usage(3, 5)), System.currentTimeMillis());
  }

  private static byte[] plain(byte[] json) {
    byte[] value = new byte[json.length + 1];
    value[0] = RedisValues.PLAIN;
    System.arraycopy(json, 0, value, 1, json.length);
    return value;
  }

  private static byte[] gzipped(byte[] json) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(RedisValues.GZIP);
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(json);
    }
    return out.toByteArray();
  }
}
