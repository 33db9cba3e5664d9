package dev.ollamabridge.console.auth;

import java.time.Instant;

/** An API token as the tokens page shows it: never its secret nor its hash. {@code lastUsedAt} is null until used. */
public record ApiToken(long id, String name, Instant createdAt, Instant lastUsedAt) {}
