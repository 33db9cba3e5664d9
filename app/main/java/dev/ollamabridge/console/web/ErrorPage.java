package dev.ollamabridge.console.web;

/** A page that says what went wrong. */
public record ErrorPage(int status, String message) {}
