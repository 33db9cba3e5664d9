package dev.ollamabridge.console.web;

import java.util.List;

/** The last lines of one nginx's error log, or why they cannot be shown ({@code problem}, else null). */
public record NginxErrorsPanel(String host, List<String> lines, String problem) {}
