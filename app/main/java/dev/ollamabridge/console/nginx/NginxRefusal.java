package dev.ollamabridge.console.nginx;

/**
 * {@code nginx -t} refused the configuration a change would render, so the change was not made:
 * 422, with nginx's own words.
 */
public final class NginxRefusal extends RuntimeException {

  private final String testOutput;

  public NginxRefusal(String message, String testOutput) {
    super(message, null, false, false);
    this.testOutput = testOutput;
  }

  public String testOutput() {
    return testOutput;
  }
}
