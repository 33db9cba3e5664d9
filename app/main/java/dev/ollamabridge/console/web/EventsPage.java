package dev.ollamabridge.console.web;

import dev.ollamabridge.console.events.EventLog;
import java.util.List;

/**
 * The audit log, newest first, one page of it. Each filter is shown as it was typed ({@code ""}: none).
 *
 * @param target the part of the target the form looks for
 * @param action the action
 * @param text a part of the action or the detail
 * @param from the earliest time, as the form sent it
 * @param to the time before which, as the form sent it
 * @param actions every action the log holds, the filter's choices
 * @param older the link to the next, older page, or null on the last
 * @param newer the link to the page before, newer, or null on the newest
 * @param paged whether this is not the newest page
 * @param newest the link to the newest page of the same filter
 * @param filtered whether any filter is set
 */
public record EventsPage(Layout layout, List<EventLog.Event> events, String target, String action, String text,
    String from, String to, List<String> actions, String older, String newer, boolean paged, String newest,
    boolean filtered) {}
