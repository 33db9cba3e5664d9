package dev.ollamabridge.console.cache;

import dev.ollamabridge.bridge.cache.RedisAddress;
import dev.ollamabridge.bridge.cache.RedisRefusal;
import dev.ollamabridge.logs.LogText;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.time.Instant;

/**
 * Asks a Redis whether the bridges could use it, as a bridge connects to it: Lettuce, with the
 * password (AUTH in its handshake), then PING, on a connection opened for the question and closed
 * after it, within a bounded time.
 *
 * <p>Whatever Redis answers is hostile: it is shown on one line, escaped, shortened, and never with
 * the password in it (a Redis that echoes it back gets {@code (password)}).
 */
public final class RedisProbe implements AutoCloseable {

  private static final int SHOWN = 200;

  private final Duration timeout;
  private final ClientResources resources;
  private final RedisClient client;

  public RedisProbe(Duration timeout) {
    this.timeout = timeout;
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
    this.client = RedisClient.create(resources);
    client.setOptions(ClientOptions.builder().autoReconnect(false)
        .socketOptions(SocketOptions.builder().connectTimeout(timeout).build()).build());
  }

  /** The state of the target now: never throws; an off target is {@link RedisState#off()}. */
  public RedisState probe(RedisTarget target) {
    if (!target.on()) {
      return RedisState.off();
    }
    Instant now = Instant.now();
    try (StatefulRedisConnection<String, String> connection = client.connect(uri(target))) {
      connection.setTimeout(timeout);
      String pong = connection.sync().ping();
      return "PONG".equals(pong) ? RedisState.connected(target.url(), now)
          : RedisState.unreachable(target.url(), "PING answered " + shown(pong, target), now);
    } catch (RuntimeException e) {
      Throwable root = RedisRefusal.answerOrRoot(e);
      String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
      return root instanceof RedisCommandExecutionException && RedisRefusal.isRefusal(message)
          ? RedisState.refused(target.url(), shown(message, target), now)
          : RedisState.unreachable(target.url(), shown(message, target), now);
    }
  }

  private RedisURI uri(RedisTarget target) {
    RedisAddress address = RedisAddress.parse(target.url());
    RedisURI.Builder builder = RedisURI.builder().withHost(address.host()).withPort(address.port())
        .withSsl(address.tls()).withDatabase(address.database()).withTimeout(timeout);
    if (target.password() != null) {
      builder = address.username() == null ? builder.withPassword(target.password().toCharArray())
          : builder.withAuthentication(address.username(), target.password());
    }
    return builder.build();
  }

  private static String shown(String text, RedisTarget target) {
    String safe = target.password() == null ? text : text.replace(target.password(), "(password)");
    return LogText.oneLine(safe, SHOWN);
  }

  @Override
  public void close() {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
  }
}
