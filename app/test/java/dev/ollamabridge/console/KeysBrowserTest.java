package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.digest.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Alert;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Keys page as an operator uses it, in real headless Chromium against a real console: a refused
 * form shows the field's rule beside it and keeps what was typed; a created key's secret is shown
 * once, with a warning and a Copy button that copies it, and is in no later page; Disable, Enable and
 * Revoke (after a confirmation) change the row. Screenshots under {@code target/screenshots/keys-*},
 * at 1280x800 and 390x844, light and dark, with nothing past the right edge.
 */
class KeysBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @RegisterExtension
  static final ChromiumPerClass CHROMIUM = new ChromiumPerClass("keys", 1280, 800);

  @TempDir Path data;
  private Chromium browser;
  private ConsoleApp console;

  @BeforeEach
  void takeBrowser() {
    browser = CHROMIUM.browser();
  }

  @AfterEach
  void stop() {
    if (console != null) {
      console.close();
    }
  }

  @Test
  void aKeyIsMadeWithItsSecretShownOnceThenDisabledEnabledAndRevoked() throws Exception {
    console = TestConsoles.start(data);
    ConsoleClient api = TestConsoles.client(console, data);
    assertThat(api.post("/keys", "{\"name\":\"support-bot\",\"owner\":\"Customer care (Lyon)\",\"models\":[\"llama3.1:8b\","
        + "\"qwen2.5*\",\"mistral-nemo\"],\"requests_per_minute\":120,\"tokens_per_day\":2000000,\"expires_at\":\""
        + LocalDate.now().plusDays(90) + "\"}").status()).isEqualTo(201);
    long batch = api.post("/keys", "{\"name\":\"nightly batch\",\"owner\":\"data team\"}").body().path("id").asLong();
    assertThat(api.patch("/keys/" + batch, "{\"enabled\":false}").status()).isEqualTo(200);

    browser.fresh("keys", 1280, 800);
    browser.logIn(url("/keys"), Files.readString(data.resolve("admin-password")).strip(), PATIENCE);
    browser.await("table.keys", PATIENCE);
    assertThat(browser.find("nav a[aria-current=page]").getText()).isEqualTo("Keys");
    assertThat(browser.find("#keys-required").getText()).contains("Keys are required", "auto");
    assertThat(browser.find("#key-" + batch).getAttribute("data-state")).isEqualTo("disabled");
    shots("list");

    // a refused form: the rule beside its field, what was typed kept
    browser.find("form.key-form input[name=name]").sendKeys("chat app");
    browser.find("form.key-form input[name=models]").sendKeys("llama3*, bad!model");
    browser.click("form.key-form button", "Create key", PATIENCE);
    browser.await("#models-error", PATIENCE);
    assertThat(browser.find("#models-error").getText()).contains("models must be");
    assertThat(browser.find("form.key-form input[name=name]").getAttribute("value")).isEqualTo("chat app");
    assertThat(browser.find("form.key-form input[name=models]").getAttribute("aria-invalid")).isEqualTo("true");
    shots("refused");

    // made: the secret once, with its warning and a Copy that copies it
    browser.find("form.key-form input[name=models]").clear();
    browser.find("form.key-form input[name=models]").sendKeys("llama3*, qwen2.5:7b");
    browser.find("form.key-form input[name=requests_per_minute]").sendKeys("60");
    browser.click("form.key-form button", "Create key", PATIENCE);
    String secret = browser.await("#new-key-secret", PATIENCE).getText();
    assertThat(secret).matches("ob-[A-Za-z0-9_-]{43}");
    assertThat(browser.find("#new-key").getText()).contains("chat app", "shown this once");
    assertThat(Files.readString(data.resolve("keys/client-keys.json"))).contains(Sha256.hex(secret));
    browser.driver.executeCdpCommand("Browser.grantPermissions", Map.of("origin", url(""),
        "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
    browser.find("#new-key button.copy").click();
    new WebDriverWait(browser.driver, PATIENCE).until(driver -> copied().equals(secret));
    shots("created");

    browser.open(url("/keys"));
    browser.await("table.keys", PATIENCE);
    assertThat(browser.driver.getPageSource()).as("the secret is in no later page").doesNotContain(secret.substring(7))
        .contains(secret.substring(0, 7) + "…");
    String row = "#key-" + api.get("/keys").body().findValues("id").stream().map(id -> id.asLong())
        .filter(id -> api.get("/keys/" + id).body().path("name").asText().equals("chat app")).findFirst().orElseThrow();
    assertThat(browser.find(row).getText()).contains("llama3*, qwen2.5:7b", "60 / min", "never", "active");

    browser.click(row + " button", "Disable", PATIENCE);
    browser.awaitText("p.notice", "disabled", PATIENCE);
    assertThat(browser.find(row).getAttribute("data-state")).isEqualTo("disabled");
    browser.click(row + " button", "Enable", PATIENCE);
    browser.awaitText("p.notice", "enabled", PATIENCE);
    assertThat(browser.find(row).getAttribute("data-state")).isEqualTo("active");

    browser.click(row + " button", "Revoke", PATIENCE);
    Alert confirm = new WebDriverWait(browser.driver, PATIENCE).until(ExpectedConditions.alertIsPresent());
    assertThat(confirm.getText()).contains("Revoke key chat app?");
    confirm.accept();
    browser.awaitText("p.notice", "revoked", PATIENCE);
    assertThat(browser.all(row)).isEmpty();
    assertThat(Files.readString(data.resolve("keys/client-keys.json"))).doesNotContain(Sha256.hex(secret));
    shots("revoked");
    browser.assertNoConsoleErrors();
  }

  private String copied() {
    Object text = browser.driver.executeAsyncScript("var done = arguments[arguments.length - 1];"
        + "navigator.clipboard.readText().then(done, function () { done(String(window.getSelection())); });");
    return String.valueOf(text);
  }

  private void shots(String step) {
    browser.shotsAtBothWidths(step, ".table-wrap");
  }

  private String url(String path) {
    return "http://127.0.0.1:" + console.port() + path;
  }
}
