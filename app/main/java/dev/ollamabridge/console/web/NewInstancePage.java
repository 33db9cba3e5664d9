package dev.ollamabridge.console.web;

/** The form for an instance with custom values. */
public record NewInstancePage(Layout layout, InstanceForm form) {}
