package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Hosts page as an operator uses it, in real headless Chromium against a real console whose agent
 * listener is on at 127.0.0.1, with a real agent process on this machine: Add host shows the command;
 * the agent run with that command (its token, its fingerprint) turns Ready on the page by its polls,
 * the command staying shown; a focused control keeps the focus through the polls; an instance put on
 * that host through the form runs there, shows its host on the dashboard, and the host filter keeps
 * only it; the agent killed, the host turns NotReady, on its page and in its instance's row; Revoke
 * turns it Revoked. Nothing on the pages reaches past the right edge at phone width. Screenshots
 * under {@code target/screenshots/hosts-*}, at 1280x800 and 390x844, light and dark.
 */
class HostsBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  /** An agent and a bridge are JVMs to start on a machine that may be busy. */
  private static final Duration PROCESS_PATIENCE = Duration.ofSeconds(150);

  @RegisterExtension
  static final ChromiumPerClass CHROMIUM = new ChromiumPerClass("hosts", 1280, 800);

  @TempDir Path data;
  /** The agent's data directory: its pid files under run/ let LeftoverProcesses end its bridges. */
  @TempDir Path agentData;
  @TempDir Path logs;

  private Chromium browser;
  private ConsoleApp console;
  private Process agent;

  @BeforeEach
  void takeBrowser() {
    browser = CHROMIUM.browser();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (agent != null) {
      List<ProcessHandle> all = new ArrayList<>(agent.descendants().toList());
      agent.destroyForcibly();
      all.forEach(ProcessHandle::destroyForcibly);
      agent.waitFor(30, TimeUnit.SECONDS);
    }
    if (console != null) {
      console.close();
    }
  }

  @Test
  void anAgentJoinedWithTheShownCommandTurnsReadyRunsAnInstanceAndIsRevoked() throws Exception {
    console = TestConsoles.start(TestConsoles.offline(data)
        .withAgentListener(new HostPort("127.0.0.1", TestPorts.listenPort()), null), data);
    ConsoleClient api = TestConsoles.client(console, data);
    assertThat(api.post("/instances", "{\"name\":\"here\",\"enabled\":false}").status()).isEqualTo(201);
    browser.fresh("hosts", 1280, 800);
    browser.logIn(url("/hosts"), Files.readString(data.resolve("admin-password")).strip(), PATIENCE);
    browser.await("#host-local", PATIENCE);
    browser.screenshot("only-local");

    // Add host: the command, once, with its placeholder, expiry and fingerprint, and a Copy that works
    browser.find("input[name=name]").sendKeys("h1");
    browser.click("form.add-host button", "Add host", PATIENCE);
    String command = browser.await("#join-command", PATIENCE).getText();
    assertThat(command).startsWith("java -jar ollama-bridge.jar agent --console https://127.0.0.1:")
        .contains("--ca-sha256 " + browser.find("#join-fingerprint").getText(), "--advertise ADDRESS-OF-THIS-HOST");
    assertThat(browser.find("#join .command mark").getText()).isEqualTo("ADDRESS-OF-THIS-HOST");
    assertThat(browser.find("#join-expires").getText()).matches("in (5\\d|60) min");
    assertThat(browser.find("#join").getText()).contains("replaced by the address", "shown this once");
    assertThat(browser.find("#host-rows").getText()).doesNotContain("h1");
    assertThat(browser.find("table.joins").getText()).contains("h1", "web:admin");
    browser.driver.executeCdpCommand("Browser.grantPermissions", Map.of("origin", url(""),
        "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
    browser.find("#join button.copy").click();
    new WebDriverWait(browser.driver, PATIENCE).until(driver -> copied().equals(command));
    shots("command-shown");

    // the agent, run with that command on this machine, joins; the page's polls show it Ready
    agent = startAgent(command);
    awaitState("h1", "Ready", PROCESS_PATIENCE);
    assertThat(browser.find("#join-command").getText()).as("the command stays through the polls").isEqualTo(command);
    browser.awaitText("#announce", "h1", PATIENCE);
    assertThat(browser.find("#host-h1").getText()).contains("127.0.0.1", "cores", "memory", "GiB free", "JDK");
    assertThat(browser.all("table.joins")).as("the token is spent").isEmpty();
    shots("ready");

    // an instance put on h1 through the form: the agent runs it; the dashboard shows its host and filters by it
    browser.open(url("/instances/new"));
    Select host = new Select(browser.await("select[name=host]", PATIENCE));
    assertThat(host.getOptions()).extracting(option -> option.getText())
        .containsExactly("local (the console's own machine)", "h1 (Ready, 127.0.0.1)");
    assertThat(host.getFirstSelectedOption().getAttribute("value")).isEqualTo("local");
    host.selectByValue("h1");
    browser.find("input[name=name]").sendKeys("on-h1");
    shots("form");
    browser.click("button[type=submit]", "Create instance", PATIENCE);
    browser.await("#now", PATIENCE);
    assertThat(browser.find("p.notice").getText()).startsWith("Added on-h1 on host h1 at 127.0.0.1:")
        .as("blank, the listen address is the one the host advertises");
    browser.open(url("/"));
    browser.await("tr[data-name='here']", PATIENCE);
    assertThat(browser.find("tr[data-name='on-h1'] [data-field=host]").getText()).endsWith("h1").doesNotContain("local");
    assertThat(browser.find("tr[data-name='here'] [data-field=host]").getText()).endsWith("local");
    new Select(browser.find("#host")).selectByValue("h1");
    new WebDriverWait(browser.driver, PATIENCE).until(ExpectedConditions.invisibilityOfElementLocated(
        By.cssSelector("tr[data-name='here']")));
    assertThat(browser.driver.getCurrentUrl()).endsWith("/?host=h1");
    assertThat(browser.all("#instance-rows tr")).hasSize(1);
    new WebDriverWait(browser.driver, PROCESS_PATIENCE).withMessage(() -> "on-h1 did not run: "
        + browser.find("tr[data-name='on-h1']").getText()).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(driver -> browser.find("tr[data-name='on-h1'] [data-field=state]").getText().equals("RUNNING"));
    shots("dashboard-filtered");

    // back on Hosts: one bridge there, linked to the filtered dashboard; the revision it runs is the one desired
    browser.open(url("/hosts"));
    assertThat(browser.await("#bridges-h1", PATIENCE).getText()).isEqualTo("1");
    assertThat(browser.find("#bridges-h1").getAttribute("href")).endsWith("/?host=h1");
    new WebDriverWait(browser.driver, PATIENCE).until(driver -> !browser.find("#host-h1 [data-field=revision]")
        .getText().contains("desired"));

    shots("running-there");
    browser.assertNoConsoleErrors();
    browser.open(url("/hosts/h1/supervisor.conf"));
    assertThat(browser.find("body").getText()).as("h1's supervisor.conf, from its agent")
        .contains("[program:ollama-bridge-on-h1]", "-l 127.0.0.1:");
    browser.consoleErrors(); // a text file has the browser ask for /favicon.ico, which the console serves as /static/favicon.svg
    browser.open(url("/hosts"));
    browser.await("#host-h1", PATIENCE);

    // the table is swapped whole every 5 s; a focused control keeps the focus
    browser.driver.executeScript("document.getElementById('revoke-h1').focus();"
        + "document.getElementById('hosts-live').dataset.old = 'yes';");
    new WebDriverWait(browser.driver, PATIENCE).until(driver -> browser.driver.executeScript(
        "return document.getElementById('hosts-live').dataset.old") == null);
    assertThat(browser.driver.executeScript("return document.activeElement.id")).isEqualTo("revoke-h1");

    // the agent gone: after three missed reports the host turns NotReady, amber, and the page says so
    agent.destroyForcibly();
    awaitState("h1", "NotReady", PATIENCE);
    browser.awaitText("#announce", "h1 is now NotReady", PATIENCE);
    assertThat(browser.find("#host-h1 [data-field=state]").getAttribute("class")).contains("busy");
    shots("not-ready");
    browser.open(url("/?host=h1"));
    browser.awaitText("tr[data-name='on-h1'] [data-field=host]", "h1 · NotReady", PATIENCE);
    assertThat(browser.find("tr[data-name='on-h1'] [data-field=host]").getAttribute("class")).contains("away");
    shots("dashboard-host-not-ready");
    browser.open(url("/hosts"));
    browser.await("#revoke-h1", PATIENCE);

    // Revoke asks first, then the host is Revoked and has no Revoke any more
    browser.find("#revoke-h1").click();
    var confirm = new WebDriverWait(browser.driver, PATIENCE).until(ExpectedConditions.alertIsPresent());
    assertThat(confirm.getText()).startsWith("Revoke host h1?");
    confirm.accept();
    awaitState("h1", "Revoked", PATIENCE);
    assertThat(browser.find("p.notice").getText()).contains("Host h1 was revoked");
    assertThat(browser.all("#revoke-h1")).isEmpty();
    shots("revoked");
    browser.assertNoConsoleErrors();
  }

  @Test
  void withTheAgentListenerOffThePageSaysHowToTurnItOn() throws IOException {
    console = TestConsoles.start(data);
    browser.fresh("hosts-off", 1280, 800);
    browser.logIn(url("/hosts"), Files.readString(data.resolve("admin-password")).strip(), PATIENCE);

    String advice = browser.await(".agent-listener-off", PATIENCE).getText();

    assertThat(advice).contains("--agent-listen HOST:PORT", "--agent-url https://NAME:PORT");
    assertThat(browser.all("form.add-host")).isEmpty();
    shots("listener-off");
    browser.assertNoConsoleErrors();
  }

  /** Waits for the host's state word to be {@code word} ("NotReady" contains "Ready"). */
  private void awaitState(String host, String word, Duration patience) {
    new WebDriverWait(browser.driver, patience).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .ignoring(org.openqa.selenium.NoSuchElementException.class)
        .until(driver -> browser.find("#host-" + host + " [data-field=state]").getText().equals(word));
  }

  /** The agent as its operator runs it: the command shown, with this machine's address and a data directory of the test's. */
  private Process startAgent(String command) throws IOException {
    String prefix = "java -jar ollama-bridge.jar ";
    assertThat(command).startsWith(prefix);
    List<String> argv = new ArrayList<>(List.of(TestConsoles.THIS_JAVA, "-cp", System.getProperty("java.class.path"),
        "dev.ollamabridge.Main"));
    for (String word : command.substring(prefix.length()).split(" ")) {
      argv.add(word.equals("ADDRESS-OF-THIS-HOST") ? "127.0.0.1" : word.equals("./agent-data") ? agentData.toString() : word);
    }
    argv.addAll(List.of("--bridge-java", TestConsoles.THIS_JAVA));
    return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(logs.resolve("agent.log").toFile()).start();
  }

  /** What the Copy button put on the clipboard; where the browser allows no clipboard, what it selected instead. */
  private String copied() {
    Object text = browser.driver.executeAsyncScript("var done = arguments[arguments.length - 1];"
        + "navigator.clipboard.readText().then(done, function () { done(String(window.getSelection())); });");
    return String.valueOf(text);
  }

  /** The whole page at 1280x800 and 390x844, light and dark, with nothing past the right edge. */
  private void shots(String step) {
    browser.shotsAtBothWidths(step, null);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + console.port() + path;
  }
}
