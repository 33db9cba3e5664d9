package dev.ollamabridge.bridge;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a route that blocks (a model list, model management, {@code /health}) runs, off the event
 * loop: a virtual thread each where the runtime has them (Java 21+), else a pool of platform
 * threads large enough for many long streams.
 */
final class RouteThreads {

  /** As Jetty's pool on Java 17 was: enough for many concurrent streams, each holding its thread. */
  private static final int MAX_PLATFORM_THREADS = 1024;

  private RouteThreads() {}

  static ExecutorService start() {
    if (Runtime.version().feature() >= 21) {
      try {
        // Executors.newVirtualThreadPerTaskExecutor(), found at run time: the bridge compiles for Java 17
        return (ExecutorService) MethodHandles.publicLookup()
            .findStatic(java.util.concurrent.Executors.class, "newVirtualThreadPerTaskExecutor",
                MethodType.methodType(ExecutorService.class))
            .invoke();
      } catch (Throwable e) {
        // not there after all: the platform pool below
      }
    }
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(0, MAX_PLATFORM_THREADS, 60, TimeUnit.SECONDS,
        new SynchronousQueue<>(), task -> {
          Thread thread = new Thread(task, "bridge-route-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    return pool;
  }
}
