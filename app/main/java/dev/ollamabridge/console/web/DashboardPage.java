package dev.ollamabridge.console.web;

/**
 * The dashboard: where clients send requests, the live part, which polls for what changed, and the
 * cluster's chart, inside the layout.
 *
 * @param scrapeIntervalMs how often the chart reloads: as often as the console reads the bridges
 */
public record DashboardPage(Layout layout, ClientEndpoint endpoint, Live live, long scrapeIntervalMs) {}
