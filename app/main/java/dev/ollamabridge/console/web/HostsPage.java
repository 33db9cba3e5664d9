package dev.ollamabridge.console.web;

import dev.ollamabridge.console.hosts.HostService;

/**
 * The Hosts page: the machines bridges run on, the join tokens not yet used, and Add host, whose
 * command is shown once, in the answer that made its token.
 *
 * @param live the part the page polls: the hosts and the pending joins
 * @param agents where agents dial and the CA they pin; null while the agent listener is off
 * @param added the host just added, with its command; null otherwise
 * @param name the name the form shows (as posted, after a refusal)
 * @param error why the name was refused, or null
 */
public record HostsPage(Layout layout, Outcome outcome, HostsLive live, Agents agents, Added added, String name,
    String error) {

  /** How agents reach this console: the URL they dial and the fingerprint of the CA they pin. */
  public record Agents(String url, String fingerprint) {}

  /** A host just added: its join command, shown this once, split around the address its operator fills in. */
  public record Added(HostService.Added added) {

    /** What the operator replaces in the command with the address the host is reached at. */
    public static final String PLACEHOLDER = "ADDRESS-OF-THIS-HOST";

    public String before() {
      int at = added.command().indexOf(PLACEHOLDER);
      return at < 0 ? added.command() : added.command().substring(0, at);
    }

    public boolean hasPlaceholder() {
      return added.command().contains(PLACEHOLDER);
    }

    public String after() {
      int at = added.command().indexOf(PLACEHOLDER);
      return at < 0 ? "" : added.command().substring(at + PLACEHOLDER.length());
    }
  }
}
