package dev.ollamabridge.console.web;

import dev.ollamabridge.console.keys.ClientKey;
import dev.ollamabridge.console.keys.KeyService;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The client keys: every one in use, the form for a new one, and a new key's secret, once.
 *
 * @param required whether a request needs a key now, and {@code setting} the word that decides it
 * @param created the key just made with its secret, shown this once; null otherwise
 * @param form the form's values as posted (after a refusal), by field
 * @param errors why each refused field was refused, by field
 */
public record KeysPage(Layout layout, Outcome outcome, List<Row> keys, boolean required, String setting,
    KeyService.Created created, Map<String, String> form, Map<String, String> errors) {

  /** One key as the table shows it. */
  public record Row(ClientKey key, String state) {

    static Row of(ClientKey key, Instant now) {
      return new Row(key, KeyService.state(key, now));
    }

    public String models() {
      return key.models().isEmpty() ? "every model" : String.join(", ", key.models());
    }

    public String perMinute() {
      return key.requestsPerMinute() == 0 ? "no limit" : key.requestsPerMinute() + " / min";
    }

    public String perDay() {
      return key.tokensPerDay() == 0 ? "no limit" : String.format("%,d tokens / day", key.tokensPerDay());
    }
  }

  public String value(String field) {
    return form.getOrDefault(field, "");
  }

  public String error(String field) {
    return errors.get(field);
  }
}
