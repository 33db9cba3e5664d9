package dev.ollamabridge.console.alerts;

import java.time.Instant;

/**
 * One alert posted to one webhook, and how that went.
 *
 * @param status {@code pending} (being tried, or waiting for its next try), {@code delivered} or {@code failed}
 * @param lastStatus the HTTP status of the last try; null when none answered
 * @param lastError why the last try failed, one line; null after a success
 */
public record Delivery(long id, long webhookId, String webhookName, String kind, String state, String subject,
    String summary, String status, int attempts, Integer lastStatus, String lastError, Instant at, Instant updatedAt) {}
