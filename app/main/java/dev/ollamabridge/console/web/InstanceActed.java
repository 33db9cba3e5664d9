package dev.ollamabridge.console.web;

/**
 * The instance page's answer to one of its buttons (Start, Stop, Restart): its live part again, and
 * what happened or why not, shown above it until the next action.
 */
public record InstanceActed(InstanceRow row, String notice, String problem) {}
