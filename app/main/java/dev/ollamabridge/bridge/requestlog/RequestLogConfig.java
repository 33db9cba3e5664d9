package dev.ollamabridge.bridge.requestlog;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A bridge's {@code --request-log} and its companions.
 *
 * @param path the log file ({@code PATH}; rotated ones are {@code PATH.1} …)
 * @param bodies {@code --log-bodies}: lines carry the request's and the answer's bodies
 */
public record RequestLogConfig(Path path, RequestLog.Retention retention, boolean bodies) {

  public RequestLogConfig {
    path = path.toAbsolutePath().normalize();
    if (Files.isDirectory(path)) {
      throw new IllegalArgumentException("--request-log " + path + " is a directory; name a file, e.g. "
          + path.resolve("requests.jsonl"));
    }
  }
}
