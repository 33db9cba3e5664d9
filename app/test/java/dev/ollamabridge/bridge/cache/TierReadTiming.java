package dev.ollamabridge.bridge.cache;

import dev.ollamabridge.bridge.cache.CacheEntries.Stored;
import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.Usage;
import dev.ollamabridge.digest.Sha256;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One look-up in the disk tier against one in the Redis tier, each as the cache does it (the disk:
 * open, read and parse a file the page cache holds; Redis: GETRANGE over the connection, gunzip,
 * parse), on the same entries: the figure behind the order of the tiers ({@link AnswerCache}).
 */
public final class TierReadTiming {

  /** Microseconds per look-up. */
  public record Figures(double p50, double p99, double mean) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "p50 %.1f µs, p99 %.1f µs, mean %.1f µs", p50, p99, mean);
    }
  }

  public record Result(Figures disk, Figures redis) {}

  private TierReadTiming() {}

  /** Stores {@code entries} answers of {@code answerChars} characters in both tiers, then reads each at random {@code reads} times. */
  public static Result measure(Path dir, String redisUrl, String password, int entries, int answerChars, int reads) {
    CacheFiles files = new CacheFiles(dir);
    String[] keys = new String[entries];
    try (RedisTier redis = new RedisTier(RedisAddress.parse(redisUrl), password, Duration.ofHours(1), 1 << 20,
        Clock.systemUTC(), RedisTier.Observer.NONE)) {
      for (int i = 0; i < entries; i++) {
        keys[i] = Sha256.hex("timing " + i);
        Stored entry = new Stored(new Answer(words(i, answerChars), "", "stop", new Usage(20, 64)), System.currentTimeMillis());
        files.write(keys[i], entry);
        redis.put(keys[i], entry);
        while (redis.get(keys[i]).isEmpty()) {
          Thread.onSpinWait(); // the write is in the background, and more at once than it queues would be dropped
        }
      }
      time(reads, keys, key -> files.read(key).isPresent()); // warm-up: the JIT, the page cache
      time(reads, keys, key -> redis.get(key).isPresent());
      return new Result(time(reads, keys, key -> files.read(key).isPresent()),
          time(reads, keys, key -> redis.get(key).isPresent()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Figures time(int reads, String[] keys, java.util.function.Predicate<String> read) {
    double[] micros = new double[reads];
    for (int i = 0; i < reads; i++) {
      String key = keys[ThreadLocalRandom.current().nextInt(keys.length)];
      long started = System.nanoTime();
      if (!read.test(key)) {
        throw new IllegalStateException("entry " + key + " not found");
      }
      micros[i] = (System.nanoTime() - started) / 1e3;
    }
    Arrays.sort(micros);
    return new Figures(micros[reads / 2], micros[(int) (reads * 0.99)], Arrays.stream(micros).average().orElse(0));
  }

  private static String words(int seed, int chars) {
    String[] vocabulary = {"the", "balancer", "picks", "a", "server", "by", "weight", "and", "health", "of", "each", "backend"};
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < chars; i++) {
      text.append(vocabulary[(i * 7 + seed) % vocabulary.length]).append(' ');
    }
    return text.toString();
  }
}
