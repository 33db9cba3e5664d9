package dev.ollamabridge.bridge.cache;

import dev.ollamabridge.bridge.cache.CacheEntries.Stored;
import dev.ollamabridge.bridge.translate.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Redis value of the cache: a one-byte format marker ({@link #PLAIN} or {@link #GZIP}), then the
 * entry's JSON ({@link CacheEntries}) as it is or gzipped, whichever is smaller. Read back, a value
 * is hostile: over the cap, of an unknown marker, inflating past {@value #INFLATE_FACTOR} times the
 * cap, not JSON of an entry, naming another key, or expired by this bridge's TTL, it is a miss.
 */
final class RedisValues {

  /** The first byte of a value: the JSON as it is, or gzipped. */
  static final byte PLAIN = 'j';
  static final byte GZIP = 'z';
  /** A gzipped value that inflates past this many times the cap is a bomb, not an answer. */
  static final int INFLATE_FACTOR = 16;

  private static final Logger log = LoggerFactory.getLogger(RedisValues.class);

  private final Duration ttl;
  private final long maxEntryBytes;
  private final Clock clock;

  RedisValues(Duration ttl, long maxEntryBytes, Clock clock) {
    this.ttl = ttl;
    this.maxEntryBytes = maxEntryBytes;
    this.clock = clock;
  }

  byte[] encode(String key, Stored entry) {
    byte[] json = CacheEntries.json(key, entry);
    ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 2 + 16);
    out.write(GZIP);
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(json);
    } catch (IOException e) {
      throw new IllegalStateException("gzip into memory failed", e);
    }
    if (out.size() < json.length + 1) {
      return out.toByteArray();
    }
    byte[] plain = new byte[json.length + 1];
    plain[0] = PLAIN;
    System.arraycopy(json, 0, plain, 1, json.length);
    return plain;
  }

  Optional<Stored> decode(String key, byte[] value) {
    if (value == null || value.length == 0) {
      return Optional.empty(); // GETRANGE of a missing key
    }
    try {
      if (value.length > maxEntryBytes) {
        throw new IOException("over the cap of " + maxEntryBytes + " bytes");
      }
      byte[] json = switch (value[0]) {
        case PLAIN -> Arrays.copyOfRange(value, 1, value.length);
        case GZIP -> inflate(value);
        default -> throw new IOException("unknown format marker " + (value[0] & 0xff));
      };
      Optional<Stored> entry = CacheEntries.read(key, Json.MAPPER.readTree(json))
          .map(stored -> new Stored(stored.answer(), Math.min(stored.createdMillis(), clock.millis())))
          .filter(stored -> stored.createdMillis() + ttl.toMillis() > clock.millis());
      if (entry.isEmpty()) {
        log.debug("Redis cache entry {} is not a valid entry of this key; treating it as a miss", key);
      }
      return entry;
    } catch (IOException | RuntimeException e) {
      log.debug("Redis cache entry {} is unreadable ({}); treating it as a miss", key, RedisTier.oneLine(e));
      return Optional.empty();
    }
  }

  private byte[] inflate(byte[] value) throws IOException {
    long limit = maxEntryBytes * INFLATE_FACTOR;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(value, 1, value.length - 1))) {
      byte[] json = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, limit + 1));
      if (json.length > limit) {
        throw new IOException("inflates past " + limit + " bytes");
      }
      return json;
    }
  }
}
