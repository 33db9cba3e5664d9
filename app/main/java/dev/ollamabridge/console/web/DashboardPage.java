package dev.ollamabridge.console.web;

/** The dashboard: where clients send requests, and the live part, which polls for what changed, inside the layout. */
public record DashboardPage(Layout layout, ClientEndpoint endpoint, Live live) {}
