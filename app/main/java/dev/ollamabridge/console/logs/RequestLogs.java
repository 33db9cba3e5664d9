package dev.ollamabridge.console.logs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.hosts.Host;
import dev.ollamabridge.console.hosts.HostService;
import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.console.instances.HostRuntimes;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceService;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.link.Request;
import dev.ollamabridge.logs.LogTail;
import dev.ollamabridge.logs.LogText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The last requests across the cluster: every bridge's request log and every nginx's access log,
 * read from their ends (the console's own files directly, other hosts' through their agents), merged
 * newest first. A host that does not answer within {@link #ASK} is reported as such; the answer never
 * waits longer for it.
 */
public final class RequestLogs {

  /** How long a host's agent has to answer before the page goes on without it. */
  public static final Duration ASK = Duration.ofSeconds(2);
  /** The most lines read from each log, and the most bytes. */
  static final int LINES_PER_LOG = 1000;
  /**
   * Follow mode asks each log for its last lines only: what a bridge writes between two polls of a page
   * (every 2 s), which keeps the agents' answers small while a page follows.
   */
  static final int LINES_WHILE_FOLLOWING = 200;
  static final int BYTES_PER_LOG = 4 * 1024 * 1024;
  /** The most lines of nginx's error log shown. */
  static final int ERROR_LINES = 200;
  private static final int ERROR_BYTES = 512 * 1024;
  private static final int ERROR_LINE_CHARS = 2000;
  private static final Comparator<LoggedRequest> NEWEST_FIRST = Comparator.comparing(LoggedRequest::cursor).reversed()
      .thenComparing(LoggedRequest::source).thenComparing(LoggedRequest::origin);

  /**
   * One log read: which and how many of its lines were refused, or why it could not be read.
   *
   * @param instance the bridge's instance, or null for nginx
   * @param skipped lines refused: no JSON object, no time, a known key of the wrong type, too long
   * @param error why the log could not be read (its host did not answer…), or null
   */
  public record Source(String host, String instance, int lines, int skipped, String error) {}

  /**
   * @param requests the matching lines, newest first, at most the query's limit
   * @param cursor the place of the newest line there is (the query's own when none is newer): follow mode
   *     asks for what comes after it
   */
  public record Found(List<LoggedRequest> requests, RequestCursor cursor, List<Source> sources) {

    public int skipped() {
      return sources.stream().mapToInt(Source::skipped).sum();
    }

    /** The logs that could not be read, with why. */
    public List<Source> unanswered() {
      return sources.stream().filter(source -> source.error() != null).toList();
    }
  }

  /** One request's lines, oldest first: the bridge's and nginx's (on every edge it passed). */
  public record Record(String id, List<LoggedRequest> bridge, List<LoggedRequest> nginx, List<Source> unanswered) {}

  /** An nginx's error log: its last lines, oldest first. */
  public record ErrorLog(String host, List<String> lines) {}

  /** What the logs are read from besides the console's files: the instances, the edges and the hosts' agents. */
  public interface Cluster {

    /** Every instance; the managed ones have a request log. */
    List<Instance> instances();

    /** The hosts other than {@code local} that run an nginx of the cluster. */
    List<String> edges();

    /**
     * What a host's agent answers a request for its logs with ({@link Request#REQUESTS}, {@link Request#ACCESS},
     * {@link Request#NGINX_ERRORS}), failing once {@code within} has passed.
     */
    CompletableFuture<List<String>> ask(String host, String what, String program, int lines, Duration within);
  }

  private final Path dataDir;
  private final Cluster cluster;
  private final RequestLines parse;
  /**
   * The console's own logs as follow mode last read them, by file: a page that follows reads them every
   * 2 s, and a log that did not change since (same size and time) is not parsed again. A full read (a page
   * opened) is not kept: it is rare, and a thousand parsed lines per log would weigh on the heap.
   */
  private final Map<Path, Cached> followed = new ConcurrentHashMap<>();

  /** A local log's read, and the size and time of the file it was read from. */
  private record Cached(long size, FileTime modified, Read read) {}

  public RequestLogs(Path dataDir, Cluster cluster, ObjectMapper json) {
    this.dataDir = dataDir;
    this.cluster = cluster;
    this.parse = new RequestLines(json);
  }

  /** The logs of this console's instances and hosts. */
  public static RequestLogs of(Path dataDir, InstanceService instances, HostService hosts, ObjectMapper json) {
    return new RequestLogs(dataDir, new Cluster() {
      @Override
      public List<Instance> instances() {
        return instances.list();
      }

      @Override
      public List<String> edges() {
        return hosts.list().stream().map(HostService.HostView::host)
            .filter(host -> host.edge() && !host.name().equals(HostRuntimes.LOCAL)).map(Host::name).toList();
      }

      @Override
      public CompletableFuture<List<String>> ask(String host, String what, String program, int lines, Duration within) {
        return hosts.logLines(host, what, program, lines, within);
      }
    }, json);
  }

  /** The lines that match, newest first. */
  public Found search(RequestQuery query) {
    List<Read> reads = readAll(query.host(), query.after() == null ? LINES_PER_LOG : LINES_WHILE_FOLLOWING);
    List<LoggedRequest> matching = new ArrayList<>();
    RequestCursor newest = query.after();
    List<Source> sources = new ArrayList<>();
    for (Read read : reads) {
      sources.add(read.source());
      for (LoggedRequest request : read.requests()) {
        if (query.matches(request)) {
          matching.add(request);
          newest = newest == null || request.cursor().compareTo(newest) > 0 ? request.cursor() : newest;
        }
      }
    }
    matching.sort(NEWEST_FIRST);
    return new Found(List.copyOf(matching.subList(0, Math.min(query.limit(), matching.size()))), newest, sources);
  }

  /** Every line with this id in the logs' ends: the bridge's and nginx's. */
  public Record record(String id) {
    List<LoggedRequest> bridge = new ArrayList<>();
    List<LoggedRequest> nginx = new ArrayList<>();
    List<Source> unanswered = new ArrayList<>();
    for (Read read : readAll(null, LINES_PER_LOG)) {
      if (read.source().error() != null) {
        unanswered.add(read.source());
      }
      for (LoggedRequest request : read.requests()) {
        if (id.equals(request.id())) {
          (request.instance() == null ? nginx : bridge).add(request);
        }
      }
    }
    Comparator<LoggedRequest> oldestFirst = NEWEST_FIRST.reversed();
    bridge.sort(oldestFirst);
    nginx.sort(oldestFirst);
    return new Record(id, bridge, nginx, unanswered);
  }

  /**
   * The last lines of nginx's error log on {@code host}: the console's own nginx for {@code local}, an
   * edge's through its agent.
   *
   * @throws InvalidInput when the host is neither local nor an edge
   * @throws dev.ollamabridge.console.hosts.HostUnavailable when its agent does not answer
   */
  public ErrorLog nginxErrors(String host) {
    List<String> lines;
    if (host.equals(HostRuntimes.LOCAL)) {
      try {
        lines = LogTail.last(dataDir.resolve("nginx").resolve("logs").resolve("error.log"), ERROR_LINES, ERROR_BYTES);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read nginx's error log: " + e.getMessage(), e);
      }
    } else {
      List<String> edges = cluster.edges();
      if (!edges.contains(host)) {
        throw new InvalidInput("host", "host must be local or an edge host" + (edges.isEmpty() ? " (there is none)"
            : ": one of " + String.join(", ", edges)));
      }
      lines = join(cluster.ask(host, Request.NGINX_ERRORS, null, ERROR_LINES, ASK));
    }
    return new ErrorLog(host, lines.stream().filter(Objects::nonNull)
        .skip(Math.max(0, lines.size() - ERROR_LINES)).map(line -> LogText.oneLine(line, ERROR_LINE_CHARS)).toList());
  }

  /** The hosts whose nginx has an error log to show: {@code local}, and every edge. */
  public List<String> nginxHosts() {
    List<String> names = new ArrayList<>(List.of(HostRuntimes.LOCAL));
    names.addAll(cluster.edges());
    return names;
  }

  /** A log read, or a host that did not answer. */
  private record Read(Source source, List<LoggedRequest> requests) {}

  /** Every log, or those of one host: the agents are all asked first, then the local files read meanwhile. */
  private List<Read> readAll(String onlyHost, int lines) {
    List<CompletableFuture<Read>> remote = new ArrayList<>();
    List<Read> reads = new ArrayList<>();
    for (Instance instance : cluster.instances()) {
      if (!instance.managed() || onlyHost != null && !onlyHost.equals(instance.host())) {
        continue;
      }
      if (instance.host().equals(HostRuntimes.LOCAL)) {
        reads.add(local(BridgeLaunch.requestLog(dataDir, instance.name()), instance.host(), lines,
            line -> parse.bridge(line, HostRuntimes.LOCAL, instance.name()), instance.name()));
      } else if (instance.enabled()) { // a disabled one may never have been sent to its host, which would say so
        remote.add(ask(instance.host(), Request.REQUESTS, instance.name(), lines,
            line -> parse.bridge(line, instance.host(), instance.name())));
      }
    }
    if (onlyHost == null || onlyHost.equals(HostRuntimes.LOCAL)) {
      reads.add(local(nginxRequests(), HostRuntimes.LOCAL, lines,
          line -> parse.nginx(line, HostRuntimes.LOCAL), null));
    }
    for (String edge : cluster.edges()) {
      if (onlyHost == null || onlyHost.equals(edge)) {
        remote.add(ask(edge, Request.ACCESS, null, lines, line -> parse.nginx(line, edge)));
      }
    }
    if (onlyHost == null) { // an instance removed since: its log is followed no more
      Set<Path> local = new HashSet<>(List.of(nginxRequests()));
      cluster.instances().forEach(instance -> local.add(BridgeLaunch.requestLog(dataDir, instance.name())));
      followed.keySet().retainAll(local);
    }
    remote.forEach(future -> reads.add(future.join()));
    return reads;
  }

  private Path nginxRequests() {
    return dataDir.resolve("nginx").resolve("logs").resolve("requests.jsonl");
  }

  private Read local(Path file, String host, int lines, Function<String, LoggedRequest> reader, String instance) {
    try {
      if (lines != LINES_WHILE_FOLLOWING) {
        return parsed(host, instance, LogTail.last(file, lines, BYTES_PER_LOG), reader);
      }
      BasicFileAttributes now;
      try {
        now = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        followed.remove(file);
        return parsed(host, instance, List.of(), reader);
      }
      Cached cached = followed.get(file);
      if (cached != null && cached.size() == now.size() && cached.modified().equals(now.lastModifiedTime())) {
        return cached.read();
      }
      Read read = parsed(host, instance, LogTail.last(file, lines, BYTES_PER_LOG), reader);
      followed.put(file, new Cached(now.size(), now.lastModifiedTime(), read));
      return read;
    } catch (IOException e) {
      return new Read(new Source(host, instance, 0, 0, "cannot read " + file.getFileName() + ": "
          + LogText.oneLine(String.valueOf(e.getMessage()), 300)), List.of());
    }
  }

  private CompletableFuture<Read> ask(String host, String what, String program, int lines,
      Function<String, LoggedRequest> reader) {
    return cluster.ask(host, what, program, lines, ASK)
        .thenApply(answer -> parsed(host, program, answer.size() <= lines ? answer
            : answer.subList(answer.size() - lines, answer.size()), reader)) // an agent may send more than asked
        .exceptionally(failure -> new Read(new Source(host, program, 0, 0,
            LogText.oneLine(String.valueOf(cause(failure).getMessage()), 300)), List.of()));
  }

  private static Read parsed(String host, String instance, List<String> lines, Function<String, LoggedRequest> reader) {
    List<LoggedRequest> requests = new ArrayList<>();
    int skipped = 0;
    for (String line : lines) {
      if (line == null || line.isBlank()) { // an agent's answer may hold anything
        continue;
      }
      LoggedRequest request = reader.apply(line);
      if (request == null) {
        skipped++;
      } else {
        requests.add(request);
      }
    }
    return new Read(new Source(host, instance, requests.size(), skipped, null), requests);
  }

  private static List<String> join(CompletableFuture<List<String>> lines) {
    try {
      return lines.join();
    } catch (CompletionException e) {
      throw cause(e) instanceof RuntimeException runtime ? runtime : e;
    }
  }

  private static Throwable cause(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }
}
