package dev.ollamabridge.bridge.cache;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * Where the Redis tier is: {@code --cache-redis redis://HOST:PORT[/DB]} or {@code rediss://…}
 * (TLS). A URL carrying a password is refused: the URL shows in the process list, the password
 * comes from {@code BRIDGE_CACHE_REDIS_PASSWORD}. A user name alone ({@code redis://USER@HOST}) is
 * the Redis ACL user that password belongs to.
 *
 * @param username the ACL user, or null for Redis's {@code default} user
 */
public record RedisAddress(boolean tls, String host, int port, int database, String username) {

  private static final Pattern DATABASE = Pattern.compile("/?|/[0-9]{1,5}");
  private static final Pattern USER = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** Reads the flag's value; a bad one is refused with a one-line message naming the flag and the rule. */
  public static RedisAddress parse(String url) {
    String shown = url.codePoints().allMatch(c -> c >= 0x21 && c < 0x7f) ? url : "(a value with spaces or control characters)";
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--cache-redis '" + shown + "' is not a URL; write redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB]");
    }
    String scheme = uri.getScheme();
    if (!"redis".equals(scheme) && !"rediss".equals(scheme) || uri.getHost() == null) {
      throw new IllegalArgumentException("--cache-redis must be redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB] (TLS), with a host");
    }
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null && userInfo.contains(":")) {
      // the URL shows in ps, logs and /health; the password must not
      throw new IllegalArgumentException("--cache-redis must not carry a password: set BRIDGE_CACHE_REDIS_PASSWORD instead");
    }
    if (userInfo != null && !USER.matcher(userInfo).matches()) {
      throw new IllegalArgumentException("--cache-redis: the user name before '@' is 1 to 64 letters, digits, '.', '_' or '-'");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null || !DATABASE.matcher(uri.getRawPath()).matches()) {
      throw new IllegalArgumentException("--cache-redis takes no path but a database number (/0, /1 …), no ?query or #fragment");
    }
    String path = uri.getRawPath();
    int database = path.length() > 1 ? Integer.parseInt(path.substring(1)) : 0;
    int port = uri.getPort() == -1 ? 6379 : uri.getPort();
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("--cache-redis: the port must be between 1 and 65535");
    }
    String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
    return new RedisAddress("rediss".equals(scheme), host, port, database, userInfo);
  }

  /** {@code HOST:PORT}: what logs and {@code /health} show of it. */
  public String hostPort() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
