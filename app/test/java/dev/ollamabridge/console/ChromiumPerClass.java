package dev.ollamabridge.console;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One headless Chromium for a test class, registered as a static extension field: started before the
 * class's first test (or the class skipped where Chromium is not installed), closed after its last.
 * Each test takes it with {@link Chromium#fresh}.
 */
final class ChromiumPerClass implements BeforeAllCallback, AfterAllCallback {

  private final String prefix;
  private final int width;
  private final int height;
  private Chromium browser;

  ChromiumPerClass(String prefix, int width, int height) {
    this.prefix = prefix;
    this.width = width;
    this.height = height;
  }

  Chromium browser() {
    return browser;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Chromium.assumeInstalled();
    browser = new Chromium(prefix, width, height);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (browser != null) {
      browser.close();
    }
  }
}
