package dev.ollamabridge.console.web;

/**
 * The change-password page.
 *
 * @param field the field the error is about, or null
 * @param changed whether the password was just changed
 */
public record PasswordPage(Layout layout, String field, String error, boolean changed) {}
