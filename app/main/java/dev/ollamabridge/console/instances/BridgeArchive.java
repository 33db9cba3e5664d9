package dev.ollamabridge.console.instances;

import dev.ollamabridge.files.OwnerOnly;
import dev.ollamabridge.logs.LogText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One class-data archive for all the bridges this console launches, so that the class metadata they
 * map is one file in the page cache, shared by every bridge, rather than a copy in each: an AOT cache
 * ({@code -XX:AOTCache}) on JDK 25 and later, which also has the classes loaded and linked before
 * {@code main}; a dynamic CDS archive ({@code -XX:SharedArchiveFile}) before that.
 *
 * <p>The console builds it once, in the background, from a training run of a real bridge in front of
 * a real fake backend, both its own processes on loopback ports that each binds itself (port 0) and
 * tells in its log, so that no other program can take a port between a probe and the bind; bridges
 * launched before it is ready
 * start without it and use it from their next start. A failed training is tried again, after 30 s,
 * then twice as long each time up to 30 minutes; {@link #status} says where it stands. Its name holds a digest of the jar and the JDK,
 * so a new jar or another JDK makes a new archive, never a mismatched one. Written under a temporary
 * name and moved into place: a bridge never maps a half-written archive.
 */
public final class BridgeArchive implements AutoCloseable {

  /** The first JDK with a one-step AOT cache ({@code -XX:AOTCacheOutput}, JEP 514). */
  static final int FIRST_AOT_CACHE_JDK = 25;

  private static final Logger log = LoggerFactory.getLogger(BridgeArchive.class);
  private static final Duration READY = Duration.ofSeconds(60);
  /** Writing an AOT cache at exit takes a second JVM some seconds on a busy machine. */
  private static final Duration DUMP = Duration.ofSeconds(180);
  private static final MediaType JSON = MediaType.get("application/json");
  private static final Duration FIRST_RETRY = Duration.ofSeconds(30);
  private static final Duration RETRY_CAP = Duration.ofMinutes(30);
  private static final int MAX_REASON = 400;

  /**
   * What the archive is now, as the Settings page and {@code GET /api/v1/status} show it.
   *
   * @param state {@code ready}; {@code building}; {@code failed}, to be tried again at {@code nextAttempt};
   *     {@code not built} before the console asked for it; {@code unavailable} where bridges cannot use one
   * @param reason why it failed or is unavailable, one line; null otherwise
   * @param attempts the training runs this console started
   * @param since when it entered this state; null when unavailable
   * @param nextAttempt when a failed training runs again; null unless failed
   * @param file where the archive is, or will be; null when unavailable
   */
  public record Status(String state, String reason, int attempts, Instant since, Instant nextAttempt, String file) {

    public static Status unavailable(String reason) {
      return new Status("unavailable", reason, 0, null, null, null);
    }
  }

  private final SelfCommand self;
  private final int javaFeature;
  private final Path file;
  private final Path logFile;
  private final Duration firstRetry;
  private final Duration retryCap;
  private final AtomicBoolean started = new AtomicBoolean();
  private final List<Process> training = new ArrayList<>();
  private final ScheduledExecutorService trainer = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "bridge-archive");
    thread.setDaemon(true);
    return thread;
  });
  private volatile Status status;
  private volatile boolean closed;

  private BridgeArchive(SelfCommand self, int javaFeature, Path file, Path logFile, Duration firstRetry,
      Duration retryCap) {
    this.self = self;
    this.javaFeature = javaFeature;
    this.file = file;
    this.logFile = logFile;
    this.firstRetry = firstRetry;
    this.retryCap = retryCap;
    this.status = new Status(Files.isRegularFile(file) ? "ready" : "not built", null, 0, Instant.now(), null,
        file.toString());
  }

  /**
   * The archive of this jar on this java, kept in {@code runDir}; empty when the bridges do not run
   * from a jar (a class path of directories, as in tests, cannot be archived).
   *
   * @param javaVersion the full version of the bridges' java, part of the archive's name
   */
  public static Optional<BridgeArchive> of(SelfCommand self, String javaVersion, int javaFeature, Path runDir,
      Path logDir) {
    return of(self, javaVersion, javaFeature, runDir, logDir, FIRST_RETRY, RETRY_CAP);
  }

  /** As {@link #of(SelfCommand, String, int, Path, Path)}, a failed training tried again after {@code firstRetry}, doubling up to {@code retryCap}. */
  static Optional<BridgeArchive> of(SelfCommand self, String javaVersion, int javaFeature, Path runDir, Path logDir,
      Duration firstRetry, Duration retryCap) {
    if (!self.runsJar()) {
      return Optional.empty();
    }
    Path jar = Path.of(self.launcher().get(1));
    String digest = digest(jar, self.java(), javaVersion);
    String name = "bridges-" + javaFeature + "-" + digest + (javaFeature >= FIRST_AOT_CACHE_JDK ? ".aot" : ".jsa");
    return Optional.of(new BridgeArchive(self, javaFeature, runDir.toAbsolutePath().normalize().resolve(name),
        logDir.toAbsolutePath().normalize().resolve("bridge-archive.log"), firstRetry, retryCap));
  }

  /** Where the archive stands: ready, building, failed and why, and when it is tried again. */
  public Status status() {
    return status;
  }

  /** Where the archive is, or will be. */
  public Path file() {
    return file;
  }

  /** The JVM flags that map the archive, when it is there; otherwise none (it is built by {@link #prepare}). */
  public List<String> flags() {
    if (Files.isRegularFile(file)) {
      // Mapped where it was written rather than at a random address, which would have each JVM
      // rewrite (so copy) its pointers: 12 MiB more per bridge, measured.
      return javaFeature >= FIRST_AOT_CACHE_JDK
          ? List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0", "-XX:AOTCache=" + file)
          : List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0", "-XX:SharedArchiveFile=" + file,
              "-Xlog:cds*=off");
    }
    return List.of();
  }

  /**
   * Starts building the archive in the background, once, unless it is there; one that is there is
   * made its owner's only, as an earlier console may have left it readable by all.
   */
  public void prepare() {
    if (Files.isRegularFile(file)) {
      try {
        OwnerOnly.file(file, false);
      } catch (IOException e) {
        log.warn("cannot make {} its owner's only: {}", file, e.toString());
      }
    } else if (started.compareAndSet(false, true)) {
      trainer.execute(this::attempt);
    }
  }

  /** One training run; a failed one is tried again later, each wait twice the last up to the cap. */
  private void attempt() {
    int attempt = status.attempts() + 1;
    status = new Status("building", null, attempt, Instant.now(), null, file.toString());
    try {
      build();
      status = new Status("ready", null, attempt, Instant.now(), null, file.toString());
    } catch (IOException | RuntimeException e) {
      if (closed) {
        return;
      }
      Duration wait = retryAfter(attempt);
      String reason = LogText.oneLine(String.valueOf(e.getMessage()), MAX_REASON);
      status = new Status("failed", reason, attempt, Instant.now(), Instant.now().plus(wait), file.toString());
      log.warn("no class-data archive for the bridges yet: {} (training {} failed; the next in {} s; see {})", reason,
          attempt, wait.toSeconds(), logFile);
      try {
        trainer.schedule(this::attempt, wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException stopping) {
        // the console is stopping: its next start trains again
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Duration retryAfter(int attempt) {
    Duration wait = firstRetry;
    for (int i = 1; i < attempt && wait.compareTo(retryCap) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(retryCap) > 0 ? retryCap : wait;
  }

  /** Builds the archive now, unless it is there: a training run of a bridge, which writes it as it exits. */
  public void build() throws IOException, InterruptedException {
    if (Files.isRegularFile(file)) {
      return;
    }
    OwnerOnly.directory(file.getParent());
    OwnerOnly.directory(logFile.getParent());
    OwnerOnly.file(logFile, true); // as the bridges' logs: the JVM would create it readable by all
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.deleteIfExists(partial);
    Path cacheDir = Files.createTempDirectory(file.getParent(), "training-cache");
    long began = System.nanoTime();
    TrainingLog output = new TrainingLog(logFile);
    try {
      String backend = output.listeningAddress(start(self.command(List.of("-XX:TieredStopAtLevel=1"),
          List.of("fake-ollama", "-l", "127.0.0.1:0", "--token-rate", "0"))), "the training's fake backend");
      List<String> flags = new ArrayList<>(BridgeLaunch.JVM_FLAGS);
      // C1 only while training: an AOT cache trained with C2 also carries the training's method
      // profiles, and every bridge would then compile with C2 as it starts (measured on JDK 25, 4
      // idle bridges: 79 MiB PSS each and 0.6 s to the first answer, against 51 MiB and 0.39 s)
      flags.add("-XX:TieredStopAtLevel=1");
      flags.add((javaFeature >= FIRST_AOT_CACHE_JDK ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + partial);
      Process bridge = start(self.command(flags, List.of("bridge", "-l", "127.0.0.1:0",
          "--ollama", backend, "--enable-cache", "--cache-dir", cacheDir.toString())));
      train(backend, output.listeningAddress(bridge, "the training bridge"));
      // SIGTERM: the JVM writes the archive on its way out. Not Process.destroy(), which also closes
      // the pipe of its output: the JVM would die writing to it, and write no archive.
      bridge.toHandle().destroy();
      if (!bridge.waitFor(DUMP.toSeconds(), TimeUnit.SECONDS)) {
        throw new IOException("the training bridge did not exit within " + DUMP.toSeconds() + " s");
      }
      if (!Files.isRegularFile(partial) || Files.size(partial) == 0) {
        throw new IOException("the training bridge wrote no archive");
      }
      OwnerOnly.file(partial, false); // the JVM writes it readable by all
      Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      stopTraining();
      output.close();
      Files.deleteIfExists(partial);
      deleteTree(cacheDir);
    }
    removeOthers();
    log.info("class-data archive for the bridges built in {} ms: {} ({} MiB)",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), file, Files.size(file) >> 20);
  }

  /** What a bridge does in its life, once each: both dialects, streamed and whole, the cache, the listings. */
  private static void train(String backend, String bridge) throws IOException, InterruptedException {
    OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(30)).build();
    try {
      awaitOk(http, backend + "/api/tags");
      awaitOk(http, bridge + "/health");
      for (boolean stream : new boolean[] {false, true}) {
        String chat = "\"model\":\"fake-llama\",\"stream\":" + stream
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]";
        for (int twice = 0; twice < 2; twice++) { // the second answer comes from the cache
          post(http, bridge + "/api/chat", "{" + chat + "}");
          post(http, bridge + "/v1/chat/completions", "{" + chat + "}");
        }
        post(http, bridge + "/api/generate", "{\"model\":\"fake-llama\",\"stream\":" + stream + ",\"prompt\":\"Hi\"}");
        post(http, bridge + "/v1/completions", "{\"model\":\"fake-llama\",\"stream\":" + stream + ",\"prompt\":\"Hi\"}");
        post(http, bridge + "/v1/responses", "{\"model\":\"fake-llama\",\"stream\":" + stream + ",\"input\":\"Hi\"}");
      }
      for (String path : List.of("/api/tags", "/v1/models", "/api/version", "/metrics", "/health")) {
        get(http, bridge + path);
      }
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  private static void awaitOk(OkHttpClient http, String url) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY.toNanos();
    while (true) {
      try (Response response = http.newCall(new Request.Builder().url(url).build()).execute()) {
        if (response.isSuccessful()) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(url + " did not answer within " + READY.toSeconds() + " s");
      }
      Thread.sleep(50);
    }
  }

  private static void post(OkHttpClient http, String url, String body) throws IOException {
    call(http, new Request.Builder().url(url).post(RequestBody.create(body, JSON)).build());
  }

  private static void get(OkHttpClient http, String url) throws IOException {
    call(http, new Request.Builder().url(url).build());
  }

  private static void call(OkHttpClient http, Request request) throws IOException {
    try (Response response = http.newCall(request).execute()) {
      response.body().bytes();
      if (!response.isSuccessful()) {
        throw new IOException(request.url().encodedPath() + " answered " + response.code() + " during training");
      }
    }
  }

  private synchronized Process start(List<String> command) throws IOException {
    if (closed) {
      throw new IOException("the console is stopping");
    }
    Process process = new ProcessBuilder(command)
        .redirectInput(Redirect.from(Path.of("/dev/null").toFile()))
        .redirectErrorStream(true)
        .start();
    training.add(process);
    return process;
  }

  private synchronized void stopTraining() throws InterruptedException {
    for (Process process : training) {
      process.destroy();
    }
    for (Process process : training) {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
    training.clear();
  }

  /** Archives of an earlier jar or JDK: no bridge of this console maps them any more. */
  private void removeOthers() throws IOException {
    try (DirectoryStream<Path> archives = Files.newDirectoryStream(file.getParent(), "bridges-*.{aot,jsa}")) {
      for (Path archive : archives) {
        if (!archive.equals(file)) {
          Files.deleteIfExists(archive);
        }
      }
    }
  }

  /** Stops a training run in progress; the archive is built at the next start. */
  @Override
  public void close() throws InterruptedException {
    synchronized (this) {
      closed = true;
    }
    trainer.shutdownNow();
    stopTraining();
  }

  private static String digest(Path jar, String java, String javaVersion) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      String identity = jar.toAbsolutePath().normalize() + "\n" + Files.size(jar) + "\n"
          + Files.getLastModifiedTime(jar).toMillis() + "\n" + Path.of(java).toRealPath() + "\n" + javaVersion;
      return HexFormat.of().formatHex(sha.digest(identity.getBytes(StandardCharsets.UTF_8))).substring(0, 12);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
