package dev.ollamabridge.console.web;

import dev.ollamabridge.console.events.EventLog;
import java.util.List;

/**
 * The audit log, newest first, one page of it.
 *
 * @param target the target filter, or {@code ""}
 * @param action the action filter, or {@code ""}
 * @param actions every action the log holds, the filter's choices
 * @param older the link to the next, older page, or null on the last
 * @param paged whether this is not the newest page
 * @param newest the link to the newest page of the same filter
 */
public record EventsPage(Layout layout, List<EventLog.Event> events, String target, String action,
    List<String> actions, String older, boolean paged, String newest) {}
