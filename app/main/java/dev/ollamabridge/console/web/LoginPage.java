package dev.ollamabridge.console.web;

/**
 * The login page.
 *
 * @param error why the last attempt failed, or null
 * @param next where to go once logged in
 * @param passwordFile where the generated first password is, while it is there and unchanged; else null
 */
public record LoginPage(String error, String next, String passwordFile) {}
