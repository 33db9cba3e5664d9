package dev.ollamabridge.console.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/** One bridge's recent figures, its last scrape (to compare the next one with) and its last failure. */
final class ScrapeWindow {

  private final Duration length;
  private final Deque<Figures> figures = new ArrayDeque<>();
  private Scrape last;
  private String lastError;

  ScrapeWindow(Duration length) {
    this.length = length;
  }

  /**
   * @param maxGap the longest time between two scrapes that still gives a figure; after a longer
   *     silence the next scrape only starts a new baseline, so an outage shows as a gap
   */
  synchronized void scraped(Scrape scrape, Duration maxGap) {
    if (last != null && scrape.at().isAfter(last.at())
        && Duration.between(last.at(), scrape.at()).compareTo(maxGap) <= 0) {
      figures.addLast(Figures.between(last, scrape));
    }
    last = scrape;
    lastError = null;
    trim(scrape.at());
  }

  synchronized void failed(String error, Instant at) {
    lastError = error;
    trim(at);
  }

  synchronized Optional<Figures> latest() {
    return Optional.ofNullable(figures.peekLast());
  }

  synchronized List<Figures> figures(Instant now) {
    trim(now);
    return List.copyOf(figures);
  }

  synchronized Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  private void trim(Instant now) {
    Instant oldest = now.minus(length);
    while (!figures.isEmpty() && figures.peekFirst().at().isBefore(oldest)) {
      figures.removeFirst();
    }
  }
}
