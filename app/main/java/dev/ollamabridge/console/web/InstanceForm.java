package dev.ollamabridge.console.web;

import dev.ollamabridge.console.instances.BridgeSecrets;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceChanges;
import dev.ollamabridge.console.instances.InstanceField;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.validation.Violation;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The instance form, both ways: the values and errors a template shows, and the adapter that turns
 * posted fields into the same {@link InstanceChanges} the REST API builds from JSON.
 *
 * @param values each field's text as the form shows it, by field key
 * @param errors each refused field's message, by field key ({@code ""} for the change as a whole)
 * @param testOutput what {@code nginx -t} said of a refused change, or null
 * @param apiKeyMask the stored upstream key, masked, or null when none is set
 * @param clientKeyMasks the stored client keys, masked
 */
public record InstanceForm(Map<String, String> values, Map<String, String> errors, String testOutput,
    Long version, String apiKeyMask, List<String> clientKeyMasks) {

  static final String CLEAR = "_clear";

  /** An empty form for a new instance: what is left blank gets the console's defaults. */
  static InstanceForm blank() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put(InstanceField.UPSTREAM_DIALECT.key(), "auto");
    values.put(InstanceField.ROLE.key(), "primary");
    for (InstanceField field : List.of(InstanceField.CACHE_ENABLED, InstanceField.THINK_FILTER, InstanceField.ENABLED,
        InstanceField.MANAGED)) {
      values.put(field.key(), "true");
    }
    return new InstanceForm(values, Map.of(), null, null, null, List.of());
  }

  /** The form of a stored instance; secrets are never put back into a page. */
  static InstanceForm of(Instance instance) {
    Map<String, String> values = new LinkedHashMap<>();
    for (InstanceField field : InstanceField.values()) {
      Object value = field.valueIn(instance);
      if (!field.secret()) {
        values.put(field.key(), value instanceof List<?> list ? String.join("\n", list.stream().map(String::valueOf).toList())
            : value == null ? "" : String.valueOf(value));
      }
    }
    return new InstanceForm(values, Map.of(), null, instance.version(),
        instance.upstreamApiKey() == null ? null : BridgeSecrets.mask(instance.upstreamApiKey()),
        instance.clientKeys().stream().map(BridgeSecrets::mask).toList());
  }

  /** The same form showing what was posted, with why it was refused. */
  InstanceForm refused(Map<String, List<String>> form, Map<String, String> refusals, String nginxTest) {
    Map<String, String> shown = new LinkedHashMap<>(values);
    for (InstanceField field : InstanceField.values()) {
      if (!field.secret()) {
        List<String> posted = form.getOrDefault(field.key(), List.of());
        if (!posted.isEmpty()) {
          shown.put(field.key(), posted.get(posted.size() - 1));
        }
      }
    }
    return new InstanceForm(shown, refusals, nginxTest, version, apiKeyMask, clientKeyMasks);
  }

  public String value(String key) {
    return values.getOrDefault(key, "");
  }

  public boolean checked(String key) {
    return "true".equals(values.get(key));
  }

  public String error(String key) {
    return errors.get(key);
  }

  public String invalid(String key) {
    return errors.containsKey(key) ? "true" : null;
  }

  /**
   * The changes a posted form asks for. A blank field is left out when creating (the default
   * applies) and is a value to check when editing; a secret left blank is unchanged, and its
   * {@code _clear} box clears it. A value that is not of its field's kind is carried as unreadable,
   * so that the service refuses it together with every rule the other fields break.
   */
  static InstanceChanges read(Map<String, List<String>> form, boolean creating) {
    Map<InstanceField, Object> values = new EnumMap<>(InstanceField.class);
    List<Violation> unreadable = new ArrayList<>();
    for (InstanceField field : InstanceField.values()) {
      String text = last(form, field.key());
      boolean clear = "true".equals(last(form, field.key() + CLEAR));
      text = text == null ? null : text.strip();
      try {
        switch (field.kind()) {
          case SECRET -> {
            if (clear) {
              values.put(field, Optional.empty());
            } else if (text != null && !text.isEmpty()) {
              values.put(field, Optional.of(text));
            }
          }
          case LIST -> {
            if (clear) {
              values.put(field, List.of());
            } else if (text != null && (!text.isEmpty() || !field.secret() && !creating)) {
              values.put(field, text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList());
            }
          }
          default -> {
            if (text != null && (!text.isEmpty() || !creating)) {
              values.put(field, switch (field.kind()) {
                case INTEGER -> integer(field, text);
                case BOOLEAN -> bool(field, text);
                default -> text;
              });
            }
          }
        }
      } catch (InvalidInput e) {
        unreadable.addAll(e.violations());
      }
    }
    String version = last(form, "version");
    Long based = null;
    if (version != null && !version.isBlank()) {
      try {
        based = Long.valueOf(version.strip());
      } catch (NumberFormatException e) {
        unreadable.add(new Violation("version", "version must be a number: reload the page"));
      }
    }
    return InstanceChanges.of(values, based, unreadable);
  }

  /** A field's value; a checkbox comes after its hidden "false", so the last one counts. */
  private static String last(Map<String, List<String>> form, String key) {
    List<String> posted = form.getOrDefault(key, List.of());
    return posted.isEmpty() ? null : posted.get(posted.size() - 1);
  }

  private static boolean bool(InstanceField field, String text) {
    if (!text.equals("true") && !text.equals("false")) {
      throw field.invalid();
    }
    return text.equals("true");
  }

  private static int integer(InstanceField field, String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw field.invalid();
    }
  }
}
