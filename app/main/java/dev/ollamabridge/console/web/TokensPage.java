package dev.ollamabridge.console.web;

import dev.ollamabridge.console.auth.ApiToken;
import java.util.List;

/**
 * The API tokens: every one by name, the form for a new one, and a new token in clear, once.
 *
 * @param created the token just created, shown this once; null otherwise
 * @param name the name the form shows (as posted, after a refusal)
 * @param error why the name was refused, or null
 */
public record TokensPage(Layout layout, Outcome outcome, List<ApiToken> tokens, Created created, String name,
    String error) {

  /** A token just created, in clear. */
  public record Created(String name, String token) {}
}
