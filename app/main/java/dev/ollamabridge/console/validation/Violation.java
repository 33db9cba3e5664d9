package dev.ollamabridge.console.validation;

/**
 * One broken rule of a change: the field it is about ({@code null} when the change as a whole is
 * wrong) and the message that names the field and the rule. A refusal carries every one, so that a
 * form or an API client sees them all at once.
 */
public record Violation(String field, String message) {}
