package dev.ollamabridge.agent;

import dev.ollamabridge.cli.Version;
import dev.ollamabridge.console.jdk.Jdk;
import dev.ollamabridge.link.HostFacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the agent tells of itself and its machine in every report. The JDK is read once; memory and
 * disk at every report, from {@code /proc/meminfo} and the data directory's file store.
 */
final class MachineFacts {

  private static final Pattern IMPLEMENTOR = Pattern.compile("^IMPLEMENTOR=\"([^\"]{1,100})\"\\s*$", Pattern.MULTILINE);
  private static final Pattern MEMINFO = Pattern.compile("^(\\w+):\\s+(\\d{1,15}) kB$");

  private final String advertise;
  private final String jdk;
  private final Path dataDir;
  private final Path meminfo;
  private final Instant started;

  MachineFacts(String advertise, Jdk bridgeJdk, Path dataDir) {
    this(advertise, bridgeJdk, dataDir, Path.of("/proc/meminfo"), Instant.now());
  }

  MachineFacts(String advertise, Jdk bridgeJdk, Path dataDir, Path meminfo, Instant started) {
    this.advertise = advertise;
    this.jdk = describe(bridgeJdk);
    this.dataDir = dataDir;
    this.meminfo = meminfo;
    this.started = started;
  }

  HostFacts now() {
    return new HostFacts(Version.current(), advertise, jdk, Runtime.getRuntime().availableProcessors(),
        memory("MemTotal"), memory("MemAvailable"), diskFree(), started.toEpochMilli());
  }

  /** {@code 25.0.1 (Eclipse Adoptium)}: the version and, where its release file names one, the vendor. */
  static String describe(Jdk jdk) {
    return jdk.version() + vendor(jdk.java()).map(vendor -> " (" + vendor + ")").orElse("");
  }

  private static Optional<String> vendor(Path java) {
    try {
      Path home = java.toRealPath().getParent().getParent();
      Matcher implementor = IMPLEMENTOR.matcher(Files.readString(home.resolve("release")));
      return implementor.find() ? Optional.of(implementor.group(1)) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Bytes of a /proc/meminfo field; 0 where there is none (not Linux). */
  private long memory(String field) {
    try {
      List<String> lines = Files.readAllLines(meminfo);
      for (String line : lines) {
        Matcher entry = MEMINFO.matcher(line.strip());
        if (entry.matches() && entry.group(1).equals(field)) {
          return Long.parseLong(entry.group(2)) * 1024;
        }
      }
    } catch (IOException e) {
      // not Linux: unknown
    }
    return 0;
  }

  private long diskFree() {
    try {
      return Files.getFileStore(dataDir).getUsableSpace();
    } catch (IOException e) {
      return 0;
    }
  }
}
