package dev.ollamabridge.http;

import io.javalin.config.JavalinConfig;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * How our servers run requests: on virtual threads where the runtime has them (Java 21+), else on
 * a pool large enough for many long streams, each of which holds its thread while it waits.
 */
public final class ServerThreads {

  /** Jetty's default of 250 would cap a Java 17 server at 250 concurrent streams. */
  private static final int MAX_PLATFORM_THREADS = 1024;

  private ServerThreads() {}

  public static void configure(JavalinConfig config) {
    config.concurrency.useVirtualThreads = Runtime.version().feature() >= 21;
    if (!config.concurrency.useVirtualThreads) {
      config.jetty.threadPool = new QueuedThreadPool(MAX_PLATFORM_THREADS, 8, 60_000);
    }
  }
}
