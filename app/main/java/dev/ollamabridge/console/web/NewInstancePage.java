package dev.ollamabridge.console.web;

import java.util.List;

/**
 * The form for an instance with custom values.
 *
 * @param hosts the hosts its bridge may be put on, {@code local} first
 */
public record NewInstancePage(Layout layout, InstanceForm form, List<RowFilter.Choice> hosts) {}
