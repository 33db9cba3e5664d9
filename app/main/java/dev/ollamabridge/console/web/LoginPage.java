package dev.ollamabridge.console.web;

/**
 * The login page.
 *
 * @param error why the last attempt failed, or null
 * @param next where to go once logged in
 * @param passwordFile where a generated first password was written
 */
public record LoginPage(String error, String next, String passwordFile) {}
