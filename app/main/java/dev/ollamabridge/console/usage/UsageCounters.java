package dev.ollamabridge.console.usage;

/** The five usage counts of one series, one hour or one total. Never negative. */
public record UsageCounters(long requests, long errors, long promptTokens, long completionTokens, long cacheHits) {

  public static final UsageCounters ZERO = new UsageCounters(0, 0, 0, 0, 0);

  public UsageCounters plus(UsageCounters other) {
    return new UsageCounters(requests + other.requests, errors + other.errors, promptTokens + other.promptTokens,
        completionTokens + other.completionTokens, cacheHits + other.cacheHits);
  }

  /** What grew since {@code earlier}; only for counters none of which is lower ({@link #anyLowerThan}). */
  public UsageCounters minus(UsageCounters earlier) {
    return new UsageCounters(requests - earlier.requests, errors - earlier.errors, promptTokens - earlier.promptTokens,
        completionTokens - earlier.completionTokens, cacheHits - earlier.cacheHits);
  }

  /** Whether any count went down since {@code earlier}: the counters were reset. */
  public boolean anyLowerThan(UsageCounters earlier) {
    return requests < earlier.requests || errors < earlier.errors || promptTokens < earlier.promptTokens
        || completionTokens < earlier.completionTokens || cacheHits < earlier.cacheHits;
  }

  public boolean isZero() {
    return equals(ZERO);
  }

  /** Prompt and completion tokens together, as a key's daily budget counts them. */
  public long tokens() {
    return promptTokens + completionTokens;
  }
}
