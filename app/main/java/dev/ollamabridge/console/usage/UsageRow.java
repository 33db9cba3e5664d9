package dev.ollamabridge.console.usage;

/**
 * One row of a usage report: the counts of one group. A dimension the report is not grouped by is null.
 *
 * @param keyId the key's id ({@code none}: requests without a key)
 * @param keyName the key's name, or null when no key has that id (any more)
 * @param instance the instance's name
 */
public record UsageRow(String keyId, String keyName, String model, String instance, String host, UsageCounters counters) {

  /** The key's name when it has one, else its id. */
  public String keyLabel() {
    return keyName != null ? keyName : keyId;
  }
}
