package dev.ollamabridge.console.web;

/**
 * The dashboard: the live part, polled, and the cluster's chart, inside the layout.
 *
 * @param scrapeIntervalMs how often the chart reloads: as often as the console reads the bridges
 */
public record DashboardPage(Layout layout, Live live, long scrapeIntervalMs) {}
