package dev.ollamabridge.link;

import java.util.List;

/**
 * The agent's answer to a {@link Request}: {@code lines} for a tail, {@code text} for a file, or
 * {@code error} saying why it cannot answer.
 */
public record Reply(String id, List<String> lines, String text, String error) implements LinkMessage {}
