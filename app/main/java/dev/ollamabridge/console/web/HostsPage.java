package dev.ollamabridge.console.web;

import dev.ollamabridge.console.hosts.HostService;
import java.util.ArrayList;
import java.util.List;

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

  /** A host just added: its join command, shown this once, as words that wrap together. */
  public record Added(HostService.Added added) {

    /** What the operator replaces in the command with the address the host is reached at. */
    public static final String PLACEHOLDER = "ADDRESS-OF-THIS-HOST";

    /**
     * One option of the command and its value ({@code --join abc…}), or the command before its first
     * option, split around the placeholder when it holds it.
     *
     * @param first whether it opens the command (no space before it)
     * @param marked whether {@link #PLACEHOLDER} stands between {@code before} and {@code after}
     */
    public record Arg(boolean first, String before, boolean marked, String after) {}

    public List<Arg> args() {
      List<Arg> args = new ArrayList<>();
      for (String part : added.command().split(" (?=--)")) {
        int at = part.indexOf(PLACEHOLDER);
        args.add(at < 0 ? new Arg(args.isEmpty(), part, false, "")
            : new Arg(args.isEmpty(), part.substring(0, at), true, part.substring(at + PLACEHOLDER.length())));
      }
      return args;
    }

    public boolean hasPlaceholder() {
      return added.command().contains(PLACEHOLDER);
    }
  }
}
