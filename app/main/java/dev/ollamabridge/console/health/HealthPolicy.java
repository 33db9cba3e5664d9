package dev.ollamabridge.console.health;

import java.time.Duration;

/** The seed's check semantics: every {@code interval}, {@code rise} passes up, {@code fall} failures down. */
public record HealthPolicy(Duration interval, Duration timeout, int rise, int fall) {

  public static HealthPolicy defaults() {
    return new HealthPolicy(Duration.ofMillis(3000), Duration.ofMillis(1000), 2, 5);
  }
}
