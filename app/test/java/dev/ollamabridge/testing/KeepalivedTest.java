package dev.ollamabridge.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.testing.Keepalived.Vrrp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keepalived fixture: its files stay under its directory, owner-only; nothing of it outlives close or stop. */
class KeepalivedTest {

  /** What .ci/run's leftover check looks for (kept in step with it by hand). */
  private static final Pattern LEFTOVER = Pattern.compile("keepalived .*/ollama-bridge-test-keepalived\\.conf");

  @TempDir Path dir;

  private NetworkHosts hosts;
  private Keepalived keepalived;

  @AfterEach
  void close() {
    try {
      if (keepalived != null) {
        keepalived.close();
      }
    } finally {
      if (hosts != null) {
        hosts.close();
      }
    }
  }

  @Test
  void aLoneHostTakesTheAddressAndCloseKillsEveryProcessOfIt() throws Exception {
    hosts = NetworkHosts.create("h1");
    keepalived = Keepalived.start(hosts, "h1", Vrrp.on(hosts.spareAddress(), 7, 100), dir.resolve("keepalived-h1"));
    await().atMost(Duration.ofSeconds(30)).until(keepalived::holdsVip);

    Path home = dir.resolve("keepalived-h1");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(Keepalived.CONFIG_NAME)))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home))).isEqualTo("rwx------");
    assertThat(Files.readString(home.resolve(Keepalived.CONFIG_NAME))).contains("vrrp_version 3").doesNotContainPattern("(?m)^\\s*(authentication|auth_type)");
    List<ProcessHandle> processes = processesOf(home);
    assertThat(processes).as("the parent and its VRRP process, each found by .ci/run's pattern").hasSize(2);

    keepalived.close();

    for (ProcessHandle process : processes) {
      assertThat(process.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS).isAlive()).isFalse();
    }
    assertThat(processesOf(home)).isEmpty();
    assertThat(keepalived.holdsVip()).as("killed, it leaves the address where it was, as a crash does").isTrue();
  }

  @Test
  void stopLeavesCleanlyAndTakesTheAddressAway() {
    hosts = NetworkHosts.create("h1");
    keepalived = Keepalived.start(hosts, "h1", Vrrp.on(hosts.spareAddress(), 7, 100), dir.resolve("keepalived-h1"));
    await().atMost(Duration.ofSeconds(30)).until(keepalived::holdsVip);

    keepalived.stop();

    assertThat(keepalived.alive()).isFalse();
    assertThat(keepalived.holdsVip()).isFalse();
    assertThat(keepalived.log()).contains("sent 0 priority");
  }

  @Test
  void settingsOutsideTheirRangesAreRefusedNamingTheField() {
    assertThatThrownBy(() -> Vrrp.on("10.0.0.5", 7, 100)).hasMessageContaining("vip '10.0.0.5'");
    assertThatThrownBy(() -> Vrrp.on("198.18.0.126", 0, 100)).hasMessageContaining("virtualRouterId 0");
    assertThatThrownBy(() -> Vrrp.on("198.18.0.126", 7, 255)).hasMessageContaining("priority 255");
    assertThatThrownBy(() -> new Vrrp("eth0 dev lo", "198.18.0.126", 7, 100, true, List.of())).hasMessageContaining("interfaceName");
    assertThatThrownBy(() -> Keepalived.httpCheck(8080, "/x'; reboot")).hasMessageContaining("plain path");
  }

  /** This suite's keepalived processes whose files are under {@code home}, as .ci/run's pattern sees them. */
  private static List<ProcessHandle> processesOf(Path home) {
    List<ProcessHandle> found = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(process -> process.info().commandLine()
        .filter(line -> LEFTOVER.matcher(line).find() && line.contains(home.toString())).ifPresent(line -> found.add(process)));
    return found;
  }
}
