package dev.ollamabridge.link;

/**
 * Something the console asks of an agent, answered by a {@link Reply} with the same id.
 *
 * @param what {@code tail} (the last {@code lines} lines of {@code program}'s log) or {@code supervisor.conf}
 *     (the host's bridges as a supervisord config, with this host's paths)
 */
public record Request(String id, String what, String program, int lines) implements LinkMessage {

  public static final String TAIL = "tail";
  public static final String SUPERVISOR_CONF = "supervisor.conf";
}
