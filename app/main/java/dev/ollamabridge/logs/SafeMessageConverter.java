package dev.ollamabridge.logs;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %safeMsg}: the formatted message as {@link LogText#oneLine}, in place of {@code %msg}, so
 * no message can break its line, forge another or carry markup, whatever code logged it.
 */
public final class SafeMessageConverter extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    return LogText.oneLine(event.getFormattedMessage());
  }
}
