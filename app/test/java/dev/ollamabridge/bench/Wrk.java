package dev.ollamabridge.bench;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One wrk run against a bridge's {@code /api/chat}, and what the benchmarks read of its report.
 *
 * @param errors wrk's line about non-2xx answers or socket errors; empty when there were none
 */
record Wrk(double perSecond, double p50Millis, double p99Millis, String errors) {

  /** Loads {@code http://127.0.0.1:PORT/api/chat} with {@code script} from one thread. */
  static Wrk run(int port, Path script, int connections, int seconds) throws IOException, InterruptedException {
    Process wrk = new ProcessBuilder("wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--latency", "-s",
        script.toString(), "http://127.0.0.1:" + port + "/api/chat").redirectErrorStream(true).start();
    String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    wrk.waitFor();
    Matcher errors = Pattern.compile("(Non-2xx[^\\n]*|Socket errors[^\\n]*)").matcher(out);
    return new Wrk(number(out, "Requests/sec:\\s+([0-9.]+)"), millis(out, "50%"), millis(out, "99%"),
        errors.find() ? errors.group(1) : "");
  }

  /** wrk, installed with apt-get when it is missing and this runs as root. */
  static void ensureInstalled() throws IOException, InterruptedException {
    if (new ProcessBuilder("sh", "-c", "command -v wrk").start().waitFor() == 0) {
      return;
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalStateException("wrk is needed: apt-get install wrk (as root)");
    }
    for (List<String> step : List.of(List.of("apt-get", "update", "-qq"),
        List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"))) {
      if (new ProcessBuilder(step).inheritIO().start().waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", step) + " failed");
      }
    }
  }

  /** Waits until something listens on {@code port} of 127.0.0.1, a minute at most. */
  static void awaitUp(int port) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        new Socket("127.0.0.1", port).close();
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("nothing listens on " + port + " after 60 s");
  }

  private static double number(String out, String pattern) {
    Matcher m = Pattern.compile(pattern).matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("wrk printed no figure for " + pattern + ":\n" + out);
    }
    return Double.parseDouble(m.group(1));
  }

  private static double millis(String out, String percentile) {
    Matcher m = Pattern.compile("\\s" + percentile + "\\s+([0-9.]+)(us|ms|s)").matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("wrk printed no " + percentile + ":\n" + out);
    }
    double value = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> value / 1000;
      case "s" -> value * 1000;
      default -> value;
    };
  }
}
