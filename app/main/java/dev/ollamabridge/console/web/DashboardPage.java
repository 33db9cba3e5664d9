package dev.ollamabridge.console.web;

import java.util.List;

/**
 * The dashboard: where clients send requests, the live part, which polls for what changed, and the
 * cluster's chart, inside the layout.
 *
 * @param scrapeIntervalMs how often the chart reloads: as often as the console reads the bridges
 * @param hosts the hosts the host filter offers ({@code local} first), each labelled with its state when not Ready
 */
public record DashboardPage(Layout layout, ClientEndpoint endpoint, Live live, long scrapeIntervalMs,
    List<RowFilter.Choice> hosts) {}
