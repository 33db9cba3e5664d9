package dev.ollamabridge.console.backup;

import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.Settings;
import dev.ollamabridge.files.OwnerOnly;
import dev.ollamabridge.logs.LogText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backups a running console makes into backup.dir (never with secrets: those go only through the
 * command line): on request (the Settings page's button, {@code POST /api/v1/backups}) and, with
 * backup.schedule = daily, when the newest there is a day old. After each, only the backup.keep newest
 * stay. Each is the event {@code backup.created}, or {@code backup.failed} with why.
 */
public final class BackupService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BackupService.class);
  /** Only files named so are the console's backups: listed, served, deleted by the retention. */
  private static final Pattern NAME = Pattern.compile("console-backup-\\d{8}-\\d{6}-\\d{3}Z\\.zip");
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Duration DAY = Duration.ofDays(1);
  /** After a failed scheduled backup, the next try waits this long: a full disk must not fill the events. */
  private static final Duration RETRY_AFTER_FAILURE = Duration.ofHours(1);

  private final Path dataDir;
  private final Settings settings;
  private final EventLog events;
  private final BackupWriter writer;
  private final Clock clock;
  private final Duration checkEvery;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "backup-schedule");
    thread.setDaemon(true);
    return thread;
  });
  private Instant lastFailure = Instant.EPOCH;

  /** One backup in backup.dir. */
  public record BackupFile(String name, long bytes, Instant createdAt) {}

  /**
   * @param checkEvery how often the schedule is looked at (a change of backup.schedule is seen within it)
   */
  public BackupService(Path dataDir, Settings settings, EventLog events, BackupWriter writer, Clock clock,
      Duration checkEvery) {
    this.dataDir = dataDir.toAbsolutePath().normalize();
    this.settings = settings;
    this.events = events;
    this.writer = writer;
    this.clock = clock;
    this.checkEvery = checkEvery;
  }

  public void start() {
    scheduler.scheduleWithFixedDelay(this::followSchedule, checkEvery.toMillis(), checkEvery.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Where the backups are: backup.dir, or {@code <data>/backups}. */
  public Path directory() {
    String dir = settings.get(Setting.BACKUP_DIR);
    return dir.isEmpty() ? dataDir.resolve("backups") : Path.of(dir);
  }

  /**
   * Makes a backup without secrets now, then keeps the backup.keep newest; {@link BackupRefused} (and the
   * event backup.failed) when it cannot be written.
   */
  public synchronized BackupFile create(String actor) {
    Path dir = directory();
    String name = "console-backup-" + STAMP.format(clock.instant()) + ".zip";
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, OwnerOnly.directoryAttributes());
      }
      Path file = dir.resolve(name);
      if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new BackupRefused("a backup named " + name + " is there already: try again");
      }
      writer.write(dataDir, file, null);
      BackupFile made = new BackupFile(name, Files.size(file), createdAt(name));
      events.record(actor, "backup.created", name, made.bytes() + " bytes, without secrets, in " + dir);
      keepNewest(actor);
      return made;
    } catch (IOException | RuntimeException e) {
      String why = e instanceof BackupRefused ? e.getMessage() : "cannot write into " + dir + ": " + e.getMessage();
      events.record(actor, "backup.failed", name, LogText.oneLine(why, 1000));
      throw e instanceof BackupRefused refused ? refused : new BackupRefused(why, e);
    }
  }

  /** The backups in backup.dir, newest first. */
  public List<BackupFile> list() {
    Path dir = directory();
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<BackupFile> backups = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        if (NAME.matcher(name).matches() && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
          try {
            backups.add(new BackupFile(name, Files.size(file), createdAt(name)));
          } catch (IOException gone) {
            // deleted meanwhile
          }
        }
      }
    } catch (IOException e) {
      throw new BackupRefused("cannot list " + dir + ": " + e.getMessage(), e);
    }
    backups.sort(Comparator.comparing(BackupFile::name).reversed());
    return backups;
  }

  /** The file of the backup of this name, found in the listing: a name is never taken for a path. */
  public Optional<Path> file(String name) {
    return list().stream().filter(backup -> backup.name().equals(name)).findFirst()
        .map(backup -> directory().resolve(backup.name()));
  }

  /** With backup.schedule = daily: a backup when the newest is a day old (or there is none). */
  void followSchedule() {
    try {
      if (!settings.get(Setting.BACKUP_SCHEDULE).equals("daily")) {
        return;
      }
      Instant now = clock.instant();
      if (lastFailure.plus(RETRY_AFTER_FAILURE).isAfter(now)) {
        return;
      }
      List<BackupFile> backups = list();
      if (backups.isEmpty() || !backups.get(0).createdAt().plus(DAY).isAfter(now)) {
        create("schedule");
      }
    } catch (RuntimeException e) {
      lastFailure = clock.instant();
      log.warn("the scheduled backup failed: {}", LogText.oneLine(String.valueOf(e.getMessage()), 1000));
    }
  }

  private void keepNewest(String actor) {
    int keep = Integer.parseInt(settings.get(Setting.BACKUP_KEEP));
    List<BackupFile> backups = list();
    for (BackupFile old : backups.subList(Math.min(keep, backups.size()), backups.size())) {
      try {
        Files.deleteIfExists(directory().resolve(old.name()));
        events.record(actor, "backup.deleted", old.name(), "backup.keep is " + keep);
      } catch (IOException e) {
        log.warn("could not delete the old backup {}: {}", old.name(), e.toString());
      }
    }
  }

  private static Instant createdAt(String name) {
    String stamp = name.substring("console-backup-".length(), name.length() - ".zip".length());
    return STAMP.parse(stamp, Instant::from);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
