package dev.ollamabridge.link;

/**
 * Something the console asks of an agent, answered by a {@link Reply} with the same id.
 *
 * @param what {@code tail} (the last {@code lines} lines of {@code program}'s log), {@code supervisor.conf}
 *     (the host's bridges as a supervisord config, with this host's paths), {@code requests} (the last
 *     {@code lines} JSON lines of bridge {@code program}'s request log), {@code access} (the last
 *     {@code lines} JSON lines of the edge nginx's access log) or {@code nginx-errors} (the last
 *     {@code lines} lines of the edge nginx's error log)
 */
public record Request(String id, String what, String program, int lines) implements LinkMessage {

  public static final String TAIL = "tail";
  public static final String SUPERVISOR_CONF = "supervisor.conf";
  public static final String REQUESTS = "requests";
  public static final String ACCESS = "access";
  public static final String NGINX_ERRORS = "nginx-errors";
}
