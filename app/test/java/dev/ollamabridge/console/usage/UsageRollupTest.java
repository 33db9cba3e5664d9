package dev.ollamabridge.console.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.console.metrics.PrometheusText;
import dev.ollamabridge.console.store.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollup's arithmetic on a real database: every request a bridge counted is in the hourly rows
 * exactly once, through bridge restarts (a new start time, or counters lower than before) and
 * console restarts (a new rollup on the same database file).
 */
class UsageRollupTest {

  @TempDir Path dir;

  private Database database;
  private UsageRollup rollup;
  private UsageService service;
  private final Instant now = Instant.now();

  @BeforeEach
  void openConsole() {
    openDatabase();
  }

  @AfterEach
  void closeConsole() {
    rollup.close();
    database.close();
  }

  @Test
  void eachScrapeAddsWhatTheCountersGrewBy() {
    double started = startedAfterTheConsole();

    scrape(1, started, series("k1", "llama", 3, 0, 30, 60, 1));
    scrape(1, started, series("k1", "llama", 3, 0, 30, 60, 1));
    scrape(1, started, series("k1", "llama", 10, 2, 100, 200, 4));

    assertThat(totals()).isEqualTo(new UsageCounters(10, 2, 100, 200, 4));
  }

  @Test
  void aRestartedBridgeIsCountedFromZeroByItsNewStartTime() {
    double first = startedAfterTheConsole();
    scrape(1, first, series("k1", "llama", 10, 0, 0, 0, 0));

    // more requests than before the restart: only the start time tells the counters began again
    scrape(1, first + 60, series("k1", "llama", 12, 0, 0, 0, 0));

    assertThat(totals().requests()).isEqualTo(22);
  }

  @Test
  void aCounterLowerThanBeforeIsAResetEvenWithoutAStartTime() {
    scrape(1, 0, series("k1", "llama", 0, 0, 0, 0, 0)); // the instance is known from here on
    scrape(1, 0, series("k1", "llama", 10, 0, 0, 0, 0));
    scrape(1, 0, series("k1", "llama", 4, 0, 0, 0, 0));
    scrape(1, 0, series("k1", "llama", 6, 0, 0, 0, 0));

    assertThat(totals().requests()).isEqualTo(16);
  }

  @Test
  void aRestartedConsoleCountsNothingTwice() {
    double started = startedAfterTheConsole();
    scrape(1, started, series("k1", "llama", 5, 1, 50, 70, 0));

    restartConsole();
    scrape(1, started, series("k1", "llama", 5, 1, 50, 70, 0));
    scrape(1, started, series("k1", "llama", 8, 1, 80, 90, 2));

    assertThat(totals()).isEqualTo(new UsageCounters(8, 1, 80, 90, 2));
  }

  @Test
  void aBridgeThatRestartedWhileTheConsoleWasDownIsCountedFromZero() {
    double first = startedAfterTheConsole();
    scrape(1, first, series("k1", "llama", 5, 0, 0, 0, 0));

    restartConsole();
    scrape(1, first + 120, series("k1", "llama", 7, 0, 0, 0, 0, "k2", "qwen", 2, 0, 0, 0, 0));

    assertThat(totals().requests()).isEqualTo(14);
  }

  @Test
  void aSeriesNewToAKnownBridgeIsCountedFromZero() {
    double started = startedAfterTheConsole();
    scrape(1, started, "");

    scrape(1, started, series("k2", "qwen", 3, 0, 0, 0, 0));

    assertThat(totals().requests()).isEqualTo(3);
  }

  @Test
  void aBridgeThatRanBeforeTheConsoleCountedUsageOnlyCountsWhatComesAfter() {
    UsageRepository repository = new UsageRepository(database);
    double beforeTheDatabase = (repository.originMs() - Duration.ofHours(1).toMillis()) / 1000.0;

    scrape(1, beforeTheDatabase, series("k1", "llama", 40, 0, 0, 0, 0));
    scrape(1, beforeTheDatabase, series("k1", "llama", 43, 0, 0, 0, 0, "k2", "qwen", 1, 0, 0, 0, 0));

    assertThat(totals().requests()).as("3 more of k1, and all of k2, new since").isEqualTo(4);
  }

  @Test
  void theRowsAreGroupedByKeyModelInstanceAndHost() {
    double started = startedAfterTheConsole();
    scrape(1, started, series("k1", "llama", 3, 1, 10, 20, 0, "k2", "llama", 2, 0, 5, 5, 1));
    scrape(2, started, series("k1", "qwen", 4, 0, 7, 8, 0));

    UsageReport byKey = service.report(query(List.of(UsageDimension.KEY)));
    UsageReport byKeyModelInstance = service.report(query(List.of(UsageDimension.KEY, UsageDimension.MODEL,
        UsageDimension.INSTANCE, UsageDimension.HOST)));

    assertThat(byKey.rows()).extracting(UsageRow::keyId, row -> row.counters().requests())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("k1", 7L), org.assertj.core.groups.Tuple.tuple("k2", 2L));
    assertThat(byKey.totals()).isEqualTo(new UsageCounters(9, 1, 22, 33, 1));
    assertThat(byKeyModelInstance.rows()).extracting(UsageRow::keyId, UsageRow::model, UsageRow::instance, UsageRow::host)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("k1", "llama", "bridge-1", "host-1"),
            org.assertj.core.groups.Tuple.tuple("k2", "llama", "bridge-1", "host-1"),
            org.assertj.core.groups.Tuple.tuple("k1", "qwen", "bridge-2", "host-2"));
    assertThat(byKey.days()).hasSize(7).last().extracting(UsageDay::counters).isEqualTo(byKey.totals());
    assertThat(service.tokensToday()).isEqualTo(Map.of("k1", 45L, "k2", 10L));
  }

  @Test
  void hoursPastTheRetentionAreDeleted() {
    UsageRepository repository = new UsageRepository(database);
    UsageSource source = new UsageSource(1, "bridge-1", "local");
    long hour = now.getEpochSecond();
    repository.add(hour - Duration.ofDays(40).toSeconds(), source, new BridgeUsage.Series("k1", "m"), counts(5));
    repository.add(hour - Duration.ofDays(20).toSeconds(), source, new BridgeUsage.Series("k1", "m"), counts(3));

    int pruned = rollup.prune(); // 30 days kept

    assertThat(pruned).isEqualTo(1);
    assertThat(service.report(new UsageQuery(LocalDate.now(ZoneOffset.UTC).minusDays(100),
        LocalDate.now(ZoneOffset.UTC).plusDays(1), List.of())).totals().requests()).isEqualTo(3);
  }

  @Test
  void aHostileBridgeCannotPlantOddLabelsOrValues() {
    double started = startedAfterTheConsole();
    String longModel = "m".repeat(BridgeUsage.MAX_MODEL + 1);

    scrape(1, started, "bridge_usage_requests_total{key=\"k1\",model=\"" + longModel + "\"} 2\n"
        + "bridge_usage_requests_total{key=\"k1\",model=\"a\\nb\"} 3\n"
        + "bridge_usage_requests_total{key=\"k1\",model=\"ok\"} NaN\n"
        + "bridge_usage_errors_total{key=\"k1\",model=\"ok\"} -4\n");

    UsageReport byModel = service.report(query(List.of(UsageDimension.MODEL)));
    assertThat(byModel.rows()).extracting(UsageRow::model, row -> row.counters().requests())
        .containsExactly(org.assertj.core.groups.Tuple.tuple(BridgeUsage.OTHER, 5L));
  }

  private double startedAfterTheConsole() {
    return (new UsageRepository(database).originMs() + 1000) / 1000.0;
  }

  private void scrape(long instance, double startedSeconds, String series) {
    String text = (startedSeconds == 0 ? "" : "# TYPE bridge_start_time_seconds gauge\nbridge_start_time_seconds "
        + startedSeconds + "\n") + series;
    rollup.scraped(instance, "bridge-" + instance, now, PrometheusText.parse(text));
  }

  /** Prometheus text of a bridge's usage: per series a key, a model and its five counts. */
  private static String series(Object... values) {
    StringBuilder text = new StringBuilder();
    String[] names = {"requests", "errors", "prompt_tokens", "completion_tokens", "cache_hits"};
    for (int at = 0; at < values.length; at += 7) {
      for (int i = 0; i < names.length; i++) {
        text.append("bridge_usage_").append(names[i]).append("_total{key=\"").append(values[at])
            .append("\",model=\"").append(values[at + 1]).append("\"} ").append(values[at + 2 + i]).append(".0\n");
      }
    }
    return text.toString();
  }

  private UsageCounters totals() {
    return service.report(query(List.of())).totals();
  }

  private UsageQuery query(List<UsageDimension> by) {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    return new UsageQuery(today.minusDays(6), today.plusDays(1), by);
  }

  private static UsageCounters counts(long requests) {
    return new UsageCounters(requests, 0, 0, 0, 0);
  }

  private void restartConsole() {
    rollup.close();
    database.close();
    openDatabase();
  }

  private void openDatabase() {
    database = Database.open(dir.resolve("console.db"));
    UsageRepository repository = new UsageRepository(database);
    rollup = new UsageRollup(repository, id -> "host-" + id, () -> 30, Clock.systemUTC());
    service = new UsageService(repository, Clock.systemUTC());
  }
}
