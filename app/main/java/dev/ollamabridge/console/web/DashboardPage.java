package dev.ollamabridge.console.web;

/** The dashboard: the live part, polled, inside the layout. */
public record DashboardPage(Layout layout, Live live) {}
