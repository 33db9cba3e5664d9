package dev.ollamabridge.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.cli.Version;
import dev.ollamabridge.console.jdk.Jdk;
import dev.ollamabridge.link.HostFacts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A report tells the agent's version and address, the bridges' JDK, and the machine's memory and disk. */
class MachineFactsTest {

  @TempDir Path dir;

  @Test
  void memoryComesFromMeminfoInBytesAndTheJdkNamesItsVendor() throws Exception {
    Path meminfo = Files.writeString(dir.resolve("meminfo"), """
        MemTotal:       16314172 kB
        MemFree:          212304 kB
        MemAvailable:    8123456 kB
        """);
    Path home = Files.createDirectories(dir.resolve("jdk").resolve("bin")).getParent();
    Path java = Files.writeString(home.resolve("bin").resolve("java"), "");
    Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"25.0.1\"\n");

    HostFacts facts = new MachineFacts("198.18.0.11", new Jdk(java, "25.0.1"), dir, meminfo,
        Instant.ofEpochMilli(1_700_000_000_000L)).now();

    assertThat(facts.version()).isEqualTo(Version.current());
    assertThat(facts.advertise()).isEqualTo("198.18.0.11");
    assertThat(facts.jdk()).isEqualTo("25.0.1 (Eclipse Adoptium)");
    assertThat(facts.memoryBytes()).isEqualTo(16314172L * 1024);
    assertThat(facts.memoryAvailableBytes()).isEqualTo(8123456L * 1024);
    assertThat(facts.diskFreeBytes()).isPositive();
    assertThat(facts.cores()).isPositive();
    assertThat(facts.startedEpochMs()).isEqualTo(1_700_000_000_000L);
  }
}
