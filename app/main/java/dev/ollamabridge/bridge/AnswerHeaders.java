package dev.ollamabridge.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** Headers a check decided the answer carries, set on it by whichever server writes it. */
final class AnswerHeaders {

  /** One header; names and values come from the bridge, or are values it has checked. */
  record Header(String name, String value) {}

  private final List<Header> headers = new ArrayList<>(4);

  AnswerHeaders set(String name, String value) {
    headers.add(new Header(name, value));
    return this;
  }

  /** Sets each on an answer, e.g. {@code headers.forEach(answer::header)}. */
  void forEach(BiConsumer<String, String> set) {
    headers.forEach(header -> set.accept(header.name(), header.value()));
  }

  boolean isEmpty() {
    return headers.isEmpty();
  }

  /** Sets them on the answer of {@code exchange}. */
  void applyTo(Exchange exchange) {
    headers.forEach(header -> exchange.answerHeader(header.name(), header.value()));
  }
}
