package dev.ollamabridge.console.usage;

import dev.ollamabridge.console.instances.InvalidInput;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Which usage to report: the UTC days {@code [from, to)} and what to group by. The API and the page
 * read it from the same query parameters, with the same rules.
 */
public record UsageQuery(LocalDate from, LocalDate to, List<UsageDimension> groupBy) {

  /** Ten years: more than any retention the settings allow a year's rows to reach. */
  public static final int MAX_DAYS = 3660;
  /** The range a query without dates covers: the last 7 days, today included. */
  public static final int DEFAULT_DAYS = 7;

  public UsageQuery {
    groupBy = List.copyOf(groupBy);
  }

  /**
   * The query of {@code from} and {@code to} (YYYY-MM-DD, UTC days, {@code to} not included; by default
   * the last {@value #DEFAULT_DAYS} days up to and including {@code today}) and {@code group_by}
   * (a comma-separated list of key, model, instance, host; none by default).
   *
   * @throws InvalidInput naming the first parameter that breaks its rule (a 400 from the API)
   */
  public static UsageQuery parse(UnaryOperator<String> param, LocalDate today) {
    LocalDate to = day(param, "to");
    LocalDate from = day(param, "from");
    if (to == null) {
      to = from == null ? today.plusDays(1) : from.plusDays(DEFAULT_DAYS);
    }
    if (from == null) {
      from = to.minusDays(DEFAULT_DAYS);
    }
    if (!from.isBefore(to)) {
      throw new InvalidInput("to", "to must be a later day than from (to is not included)");
    }
    if (ChronoUnit.DAYS.between(from, to) > MAX_DAYS) {
      throw new InvalidInput("to", "from and to must be at most " + MAX_DAYS + " days apart");
    }
    return new UsageQuery(from, to, groupBy(param.apply("group_by")));
  }

  public static UsageQuery of(LocalDate from, LocalDate to, List<UsageDimension> groupBy) {
    return new UsageQuery(from, to, groupBy);
  }

  /** The same days, grouped otherwise. */
  public UsageQuery groupedBy(List<UsageDimension> by) {
    return new UsageQuery(from, to, by);
  }

  private static LocalDate day(UnaryOperator<String> param, String name) {
    String value = param.apply(name);
    if (value == null || value.isBlank()) {
      return null;
    }
    value = value.strip();
    if (!value.matches("\\d{4}-\\d{2}-\\d{2}")) {
      throw new InvalidInput(name, name + " must be a day as YYYY-MM-DD (UTC)");
    }
    try {
      LocalDate day = LocalDate.parse(value);
      if (day.getYear() < 2000 || day.getYear() > 9000) {
        throw new InvalidInput(name, name + " must be a day from the year 2000 to 9000");
      }
      return day;
    } catch (DateTimeException e) {
      throw new InvalidInput(name, name + " is not a day of the calendar: " + value);
    }
  }

  private static List<UsageDimension> groupBy(String value) {
    List<UsageDimension> by = new ArrayList<>();
    if (value == null || value.isBlank()) {
      return by;
    }
    if (value.length() > 100) {
      throw new InvalidInput("group_by", "group_by must be a list of key, model, instance, host");
    }
    for (String word : value.split(",", -1)) {
      UsageDimension dimension = UsageDimension.of(word.strip()).orElseThrow(() -> new InvalidInput("group_by",
          "group_by must be a comma-separated list of key, model, instance, host (not '" + word.strip() + "')"));
      if (by.contains(dimension)) {
        throw new InvalidInput("group_by", "group_by names " + dimension.word() + " twice");
      }
      by.add(dimension);
    }
    return by;
  }
}
