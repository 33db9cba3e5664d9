package dev.ollamabridge.bridge.cache;

import dev.ollamabridge.bridge.cache.CacheEntries.Stored;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache tier every bridge of a cluster shares: one Redis, entries under
 * {@code ollama-bridge:answer:v1:<64-hex key>} (the disk cache's keys), each the entry's JSON
 * ({@link CacheEntries}) behind a one-byte format marker, gzipped when that makes it smaller,
 * expiring with the entry ({@code SET … PX}). An entry larger than the cap is not stored.
 *
 * <p>Redis down is not an outage. Every command waits at most {@link #COMMAND_TIMEOUT}; a failure
 * opens a {@link Breaker}, so that while Redis is away no request waits on it at all; one probe
 * goes through after the breaker's wait, and Redis answering closes it. Writes never hold up an
 * answer: they are encoded and sent from one background thread, at most {@link #WRITES_QUEUED}
 * waiting and {@link #WRITES_IN_FLIGHT} sent but unanswered; more are dropped. Lettuce keeps one
 * multiplexed connection, reconnects it by itself, and rejects commands while it is down rather
 * than queueing them. A bridge that starts while Redis is unreachable starts anyway. While the tier
 * is not connected, a PING every {@link #PROBE_EVERY} (when the breaker lets one through) finds
 * Redis back even when every request is a memory hit, so its state in {@code /health} is true
 * whatever the traffic; a lost connection is seen at once.
 *
 * <p>The same connection, breaker and timeout carry the client keys' shared counters ({@link #add}).
 *
 * <p>Values read back are hostile: at most the cap is read ({@code GETRANGE}), and
 * {@link RedisValues} checks the rest; anything else is a miss.
 */
public final class RedisTier implements AutoCloseable {

  /**
   * How long a command may take. A GET on a LAN answers in well under a millisecond; 200 ms rides
   * out a GC pause or a busy Redis, and is the most a cache lookup may add to a miss.
   */
  public static final Duration COMMAND_TIMEOUT = Duration.ofMillis(200);
  /** How often a tier that is not connected tries Redis, the breaker permitting. */
  static final Duration PROBE_EVERY = Duration.ofSeconds(1);
  /** How long a connection attempt may take. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  static final String PREFIX = "ollama-bridge:answer:v1:";
  static final int WRITES_QUEUED = 256;
  static final int WRITES_IN_FLIGHT = 64;

  private static final Logger log = LoggerFactory.getLogger(RedisTier.class);

  /** What {@code /health} shows: connected, unreachable (down, slow, not yet reached) or refused (password, ACL). */
  public enum State {
    CONNECTED, UNREACHABLE, REFUSED;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The tier's state, since when, and the last error (one line, never the password), null when connected. */
  public record Status(State state, Instant since, String error) {}

  /** Told of every command: how long it took and whether it failed; the bridge's metrics listen. */
  public interface Observer {
    Observer NONE = (seconds, failed) -> {};

    void command(double seconds, boolean failed);
  }

  private final RedisAddress address;
  private final RedisURI uri;
  private final ClientResources resources;
  private final RedisClient client;
  private final Duration ttl;
  private final long maxEntryBytes;
  private final Clock clock;
  private final Observer observer;
  private final RedisValues values;
  private final Breaker breaker = new Breaker(System::nanoTime);
  private final AtomicBoolean connecting = new AtomicBoolean();
  private final Semaphore inFlight = new Semaphore(WRITES_IN_FLIGHT);
  private final ThreadPoolExecutor writer;
  private final ScheduledExecutorService prober;
  private final LongAdder errors = new LongAdder();
  private final LongAdder droppedWrites = new LongAdder();
  private volatile StatefulRedisConnection<String, byte[]> connection;
  private volatile Status status;
  private volatile boolean closed;
  /** Whether a state has been logged yet: the first one is, whichever it is. */
  private boolean announced;

  /**
   * Connects to Redis, waiting at most {@link #CONNECT_TIMEOUT} for it: unreachable or refusing, the
   * tier starts anyway (and says so in its status), and connects when Redis is back.
   *
   * @param password the password of {@code BRIDGE_CACHE_REDIS_PASSWORD}, or null
   * @param ttl how long an entry lives, from when it was first stored
   * @param maxEntryBytes the largest value stored or read, after compression
   */
  public RedisTier(RedisAddress address, String password, Duration ttl, long maxEntryBytes, Clock clock,
      Observer observer) {
    this.address = address;
    this.ttl = ttl;
    this.maxEntryBytes = maxEntryBytes;
    this.clock = clock;
    this.observer = observer;
    this.values = new RedisValues(ttl, maxEntryBytes, clock);
    this.status = new Status(State.UNREACHABLE, clock.instant(), "not connected yet");
    RedisURI.Builder builder = RedisURI.builder().withHost(address.host()).withPort(address.port())
        .withSsl(address.tls()).withDatabase(address.database()).withTimeout(COMMAND_TIMEOUT);
    if (password != null && !password.isEmpty()) {
      builder = address.username() == null ? builder.withPassword(password.toCharArray())
          : builder.withAuthentication(address.username(), password);
    }
    this.uri = builder.build();
    this.resources = DefaultClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        // Lettuce's own reconnects of a connection that was up: soon, then at most every 5 s
        .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(5), 2, TimeUnit.MILLISECONDS))
        .build();
    this.client = RedisClient.create(resources);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build())
        .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
        .build());
    this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(WRITES_QUEUED), runnable -> {
      Thread thread = new Thread(runnable, "redis-cache-writer");
      thread.setDaemon(true);
      return thread;
    }, (runnable, executor) -> droppedWrites.increment());
    client.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> lost) {
        if (lost == connection && !closed) {
          lostConnection();
        }
      }
    });
    this.prober = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "redis-cache-probe");
      thread.setDaemon(true);
      return thread;
    });
    prober.scheduleWithFixedDelay(this::probe, PROBE_EVERY.toMillis(), PROBE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    connect().ifPresent(attempt -> {
      try {
        attempt.get(CONNECT_TIMEOUT.toMillis() + COMMAND_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        // its state says why; the tier goes on without Redis
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** The stored entry of {@code key}; empty on a miss, and when Redis is away, slow or refusing. */
  Optional<Stored> get(String key) {
    StatefulRedisConnection<String, byte[]> redis = usable();
    if (redis == null) {
      return Optional.empty();
    }
    long started = System.nanoTime();
    byte[] value;
    try {
      // GETRANGE reads at most the cap (and one byte more, to tell an oversized value), never a huge one
      value = redis.async().getrange(PREFIX + key, 0, maxEntryBytes).toCompletableFuture()
          .get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return failed(started, e instanceof ExecutionException ? e.getCause() : e, key);
    }
    answered(started);
    return values.decode(key, value);
  }

  /**
   * {@code INCRBY key by} and {@code PEXPIRE key ttl}, sent together: a counter the bridges of a
   * cluster share (the client keys' rates and budgets). Answers its new value; empty when Redis is
   * away, slow or refusing (the breaker then spares the next calls the wait), so that the caller
   * counts on its own instead.
   */
  public OptionalLong add(String key, long by, Duration ttl) {
    StatefulRedisConnection<String, byte[]> redis = usable();
    if (redis == null) {
      return OptionalLong.empty();
    }
    long started = System.nanoTime();
    try {
      RedisAsyncCommands<String, byte[]> commands = redis.async();
      RedisFuture<Long> value = commands.incrby(key, by);
      commands.pexpire(key, ttl.toMillis());
      long counted = value.toCompletableFuture().get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      answered(started);
      return OptionalLong.of(counted);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalLong.empty();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      failed(started, e instanceof ExecutionException ? e.getCause() : e, key);
      return OptionalLong.empty();
    }
  }

  /** Stores the entry in the background; never waits, and drops it when Redis is away or the writes pile up. */
  void put(String key, Stored entry) {
    if (status.state() != State.CONNECTED) {
      return; // no encoding spent on a write that cannot go
    }
    writer.execute(() -> write(key, entry));
  }

  public Status status() {
    return status;
  }

  /** Commands that failed: timeouts, a connection refused or lost, a password refused. */
  public long errors() {
    return errors.sum();
  }

  /** Writes dropped because too many were queued or unanswered. */
  public long droppedWrites() {
    return droppedWrites.sum();
  }

  public RedisAddress address() {
    return address;
  }

  @Override
  public void close() {
    closed = true;
    prober.shutdownNow();
    writer.shutdownNow();
    StatefulRedisConnection<String, byte[]> redis = connection;
    if (redis != null) {
      redis.closeAsync();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  /** While not connected: PING (or connect), so that Redis back is seen without a request needing it. */
  private void probe() {
    if (status.state() == State.CONNECTED) {
      return;
    }
    StatefulRedisConnection<String, byte[]> redis = usable();
    if (redis == null) {
      return;
    }
    long started = System.nanoTime();
    try {
      redis.async().ping().toCompletableFuture().get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      answered(started);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      failed(started, e instanceof ExecutionException ? e.getCause() : e, null);
    }
  }

  private void lostConnection() {
    Duration wait = breaker.failed();
    change(State.UNREACHABLE, "connection lost; next try in about " + wait.toMillis() + " ms");
  }

  private void write(String key, Stored entry) {
    long remaining = entry.createdMillis() + ttl.toMillis() - clock.millis();
    byte[] value = values.encode(key, entry);
    if (remaining <= 0 || value.length > maxEntryBytes) {
      log.debug("cache entry {} not stored in Redis: {}", key,
          remaining <= 0 ? "expired" : value.length + " bytes, over the cap of " + maxEntryBytes);
      return;
    }
    StatefulRedisConnection<String, byte[]> redis = usable();
    if (redis == null) {
      return;
    }
    if (!inFlight.tryAcquire()) {
      droppedWrites.increment();
      return;
    }
    long started = System.nanoTime();
    try {
      redis.async().set(PREFIX + key, value, SetArgs.Builder.px(remaining)).whenComplete((ok, error) -> {
        inFlight.release();
        if (error == null) {
          answered(started);
        } else {
          failed(started, error, key);
        }
      });
    } catch (RuntimeException e) {
      inFlight.release();
      failed(started, e, key);
    }
  }

  /** The connection, if the breaker lets a call through now; otherwise null (and maybe a connect begun). */
  private StatefulRedisConnection<String, byte[]> usable() {
    if (!breaker.allow()) {
      return null;
    }
    StatefulRedisConnection<String, byte[]> redis = connection;
    if (redis == null) {
      connect(); // this call is the probe: it is a miss, the connection is for the next ones
      return null;
    }
    return redis;
  }

  /** Begins one connection attempt unless one is under way; answers it, to wait on at start. */
  private Optional<CompletableFuture<?>> connect() {
    if (!connecting.compareAndSet(false, true)) {
      return Optional.empty();
    }
    CompletableFuture<StatefulRedisConnection<String, byte[]>> attempt = client
        .connectAsync(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE), uri).toCompletableFuture();
    return Optional.of(attempt.whenComplete((redis, error) -> {
      connecting.set(false);
      if (error == null) {
        connection = redis;
        breaker.succeeded();
        change(State.CONNECTED, null);
      } else {
        failed(System.nanoTime(), error, null);
      }
    }));
  }

  private void answered(long startedNanos) {
    observer.command((System.nanoTime() - startedNanos) / 1e9, false);
    breaker.succeeded();
    change(State.CONNECTED, null);
  }

  private Optional<Stored> failed(long startedNanos, Throwable error, String key) {
    Throwable cause = rootOf(error);
    String message = oneLine(cause);
    if (key != null && cause instanceof RedisCommandExecutionException && !refusal(message)) {
      // Redis answered, with an error about this value (WRONGTYPE: someone else's key): a miss
      answered(startedNanos);
      log.debug("Redis cache entry {} is not ours ({}); treating it as a miss", key, message);
      return Optional.empty();
    }
    errors.increment();
    observer.command((System.nanoTime() - startedNanos) / 1e9, true);
    Duration wait = breaker.failed();
    change(refusal(message) ? State.REFUSED : State.UNREACHABLE, message + "; next try in about " + wait.toMillis() + " ms");
    return Optional.empty();
  }

  /** Logs a change of state once, with its reason; a repeated failure of the same kind is not logged again. */
  private void change(State state, String error) {
    Status before = status;
    if (before.state() == state && java.util.Objects.equals(before.error(), error)) {
      return; // the common case, each answered command: nothing to lock
    }
    synchronized (this) {
      before = status;
      boolean changed = before.state() != state || !announced;
      status = new Status(state, changed ? clock.instant() : before.since(), error);
      if (!changed) {
        return;
      }
      announced = true;
    }
    switch (state) {
      case CONNECTED -> log.info("Redis cache tier {} connected", address.hostPort());
      case UNREACHABLE -> log.warn("Redis cache tier {} unreachable ({}); serving from the local tiers until it is back",
          address.hostPort(), error);
      case REFUSED -> log.error("Redis cache tier {} refused this bridge ({}): check BRIDGE_CACHE_REDIS_PASSWORD and the"
          + " Redis user's ACL; serving from the local tiers", address.hostPort(), error);
    }
  }

  private static boolean refusal(String message) {
    return message.startsWith("WRONGPASS") || message.startsWith("NOAUTH") || message.startsWith("NOPERM")
        || message.contains("AUTH") && message.contains("without any password configured");
  }

  private static Throwable rootOf(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause && !(cause instanceof RedisCommandExecutionException)) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** A reason fit for a log line and {@code /health}: one line, printable, short. */
  static String oneLine(Throwable error) {
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    if (error instanceof TimeoutException || error instanceof io.lettuce.core.RedisCommandTimeoutException) {
      message = "no answer within " + COMMAND_TIMEOUT.toMillis() + " ms";
    }
    String printable = message.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}]+", " ").strip();
    return printable.length() > 200 ? printable.substring(0, 200) + "…" : printable;
  }
}
