package dev.ollamabridge.console.usage;

import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Answers what the cluster's keys used, for the Usage page, the API and the budget alert. */
public final class UsageService {

  private final UsageRepository repository;
  private final Clock clock;

  public UsageService(UsageRepository repository, Clock clock) {
    this.repository = repository;
    this.clock = clock;
  }

  /** Today as UTC has it: the day the default range ends with. */
  public LocalDate today() {
    return LocalDate.now(clock.withZone(java.time.ZoneOffset.UTC));
  }

  public UsageReport report(UsageQuery query) {
    List<UsageRow> rows = repository.grouped(query.from(), query.to(), query.groupBy());
    UsageCounters totals = query.groupBy().isEmpty() ? rows.get(0).counters()
        : rows.stream().map(UsageRow::counters).reduce(UsageCounters.ZERO, UsageCounters::plus);
    Map<LocalDate, UsageCounters> counted = repository.days(query.from(), query.to());
    List<UsageDay> days = new ArrayList<>();
    for (LocalDate day = query.from(); day.isBefore(query.to()); day = day.plusDays(1)) {
      days.add(new UsageDay(day, counted.getOrDefault(day, UsageCounters.ZERO)));
    }
    return new UsageReport(query, query.groupBy().isEmpty() ? List.of() : rows, totals, days);
  }

  /** Prompt and completion tokens per key id in the current UTC day, for the budget alert. */
  public Map<String, Long> tokensToday() {
    return repository.tokensByKeySince(today().atStartOfDay(java.time.ZoneOffset.UTC).toEpochSecond());
  }
}
