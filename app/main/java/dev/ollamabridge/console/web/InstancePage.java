package dev.ollamabridge.console.web;

import dev.ollamabridge.console.events.EventLog;
import java.util.List;

/**
 * One instance: its live row, its settings as a form, its log, charts and events.
 *
 * @param notice what the last step on the page did (created, saved and which nginx revision serves it), or null
 * @param scrapeIntervalMs how often the console reads the bridge's metrics: the charts reload as often
 * @param hosts the hosts its bridge may be moved to, {@code local} first, its own among them
 */
public record InstancePage(Layout layout, InstanceRow row, InstanceForm form, String notice, List<EventLog.Event> events,
    long scrapeIntervalMs, List<RowFilter.Choice> hosts) {}
