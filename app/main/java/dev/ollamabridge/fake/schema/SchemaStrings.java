package dev.ollamabridge.fake.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * A string that a schema's {@code minLength}, {@code maxLength}, {@code pattern} and common
 * {@code format}s accept, made from the question's word where nothing else is asked for.
 */
final class SchemaStrings {

  /** Longest string made, in code points, whatever {@code minLength} asks. */
  static final int MAX_STRING = 256;

  private SchemaStrings() {}

  /**
   * The word (with a number after it for variants), or the format's example, fitted to the
   * lengths and, if the schema has a pattern, the first of several tries that matches it.
   */
  static String of(ObjectNode flat, String word, int variant) {
    int min = Math.min(SchemaInstances.count(flat, "minLength", 0), MAX_STRING);
    int max = Math.min(SchemaInstances.count(flat, "maxLength", MAX_STRING), MAX_STRING);
    String said = variant == 0 ? word : word + (variant + 1);
    String format = formatted(flat.path("format").asText(""), word, variant);
    List<String> tries = new ArrayList<>();
    tries.add(format == null ? said : format);
    JsonNode pattern = flat.path("pattern");
    if (!pattern.isTextual()) {
      return fitted(tries.get(0), min, max);
    }
    tries.addAll(List.of(said.toLowerCase(Locale.ROOT), said.toUpperCase(Locale.ROOT), "a", "1"));
    tries.addAll(PatternSamples.samples(pattern.textValue(), MAX_STRING));
    for (String candidate : tries) {
      String fitted = fitted(candidate, min, max);
      if (PatternSamples.finds(pattern.textValue(), fitted)) {
        return fitted;
      }
    }
    return fitted(tries.get(0), min, max);
  }

  /** An example of a common string format, different for each variant; null for other formats. */
  private static String formatted(String format, String word, int variant) {
    return switch (format) {
      case "date" -> LocalDate.of(2025, 1, 1).plusDays(variant).toString();
      case "date-time" -> LocalDate.of(2025, 1, 1).plusDays(variant) + "T12:00:00Z";
      case "time" -> String.format("12:%02d:00Z", variant % 60);
      case "duration" -> "P" + (variant + 1) + "D";
      case "email", "idn-email" -> "user" + (variant == 0 ? "" : variant + 1) + "@example.com";
      case "hostname", "idn-hostname" -> (variant == 0 ? "" : "host" + (variant + 1) + ".") + "example.com";
      case "uri", "url", "iri", "uri-reference", "iri-reference" -> "https://example.com/" + (variant == 0 ? "" : variant + 1);
      case "uuid" -> UUID.nameUUIDFromBytes((word + '\u0000' + variant).getBytes(StandardCharsets.UTF_8)).toString();
      case "ipv4" -> "192.0.2." + (1 + variant % 254);
      case "ipv6" -> "2001:db8::" + Integer.toHexString(1 + variant % 0xfffe);
      default -> null;
    };
  }

  /** Repeated up to {@code min} code points, cut to {@code max}. */
  private static String fitted(String text, int min, int max) {
    String base = text.isEmpty() ? "x" : text;
    StringBuilder fitted = new StringBuilder(text);
    while (fitted.codePointCount(0, fitted.length()) < min) {
      fitted.append(base);
    }
    int length = fitted.codePointCount(0, fitted.length());
    if (length > max) {
      return fitted.substring(0, fitted.offsetByCodePoints(0, max));
    }
    return fitted.toString();
  }
}
