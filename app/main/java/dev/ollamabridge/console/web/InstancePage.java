package dev.ollamabridge.console.web;

import dev.ollamabridge.console.events.EventLog;
import java.util.List;

/**
 * One instance: its live row, its settings as a form, its log, charts and events.
 *
 * @param saved whether the form was just saved
 * @param scrapeIntervalMs how often the console reads the bridge's metrics: the charts reload as often
 */
public record InstancePage(Layout layout, InstanceRow row, InstanceForm form, boolean saved, List<EventLog.Event> events,
    long scrapeIntervalMs) {}
