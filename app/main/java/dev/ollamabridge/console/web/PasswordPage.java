package dev.ollamabridge.console.web;

import java.util.Map;

/**
 * The change-password page.
 *
 * @param errors why each refused field was refused, by field name (empty when none was)
 * @param changed whether the password was just changed
 */
public record PasswordPage(Layout layout, Map<String, String> errors, boolean changed) {

  public String error(String field) {
    return errors.get(field);
  }

  public String invalid(String field) {
    return errors.containsKey(field) ? "true" : null;
  }
}
