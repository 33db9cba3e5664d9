package dev.ollamabridge.console.web;

import java.util.Locale;
import java.util.Map;

/** A page as a browser without JavaScript gets it: status, body, where it sends next, headers. */
public record Page(int status, String body, String location, Map<String, String> headers) {
  String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }
}
