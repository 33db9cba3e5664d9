package dev.ollamabridge.console.hosts;

/** Where a host stands, as the Hosts page shows it. */
public enum HostState {
  /** Its agent reported within the last three report intervals: its bridges are routed to. */
  READY("ready", "Ready"),
  /** Joined but silent (or not yet reported): its bridges are down in nginx until it reports again. */
  NOT_READY("not_ready", "NotReady"),
  /** Its certificate was revoked: refused at once, its bridges down in nginx; it must join again. */
  REVOKED("revoked", "Revoked");

  private final String key;
  private final String word;

  HostState(String key, String word) {
    this.key = key;
    this.word = word;
  }

  /** As stored and as the API writes it. */
  public String key() {
    return key;
  }

  /** As people read it. */
  public String word() {
    return word;
  }

  static HostState ofKey(String key) {
    for (HostState state : values()) {
      if (state.key.equals(key)) {
        return state;
      }
    }
    throw new IllegalArgumentException("unknown host state '" + key + "'");
  }
}
