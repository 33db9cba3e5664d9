package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.testing.TestPorts;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One rule for every instance's port: inside the {@code instance_ports} range (unprivileged ports
 * unless the operator widens it), and, for a bridge the console will launch, not a port another
 * program listens on already. Both are refused before anything is stored, on create and on update.
 */
class InstancePortsTest {

  @TempDir Path data;
  private ConsoleApp console;
  private ConsoleClient api;

  @BeforeEach
  void start() {
    console = TestConsoles.start(data);
    api = new ConsoleClient(console.port(), console.adminToken());
  }

  @AfterEach
  void stop() {
    for (JsonNode instance : api.get("/instances").body()) {
      api.delete("/instances/" + instance.path("id").asLong() + "?version=" + instance.path("version").asLong());
    }
    console.close();
  }

  @Test
  void port80IsOutsideTheInstancePortsRangeAndTheRefusalNamesFieldAndRule() {
    ConsoleClient.Answer answer = api.post("/instances", "{\"name\":\"web\",\"port\":80,\"enabled\":false}");

    assertThat(answer.status()).as(String.valueOf(answer.body())).isEqualTo(400);
    assertThat(answer.field()).isEqualTo("port");
    assertThat(answer.error()).contains("from 1024 to 65535").contains("instance_ports");
    assertThat(api.get("/instances").body()).isEmpty();
    assertThat(createdEvents()).isEmpty();
  }

  @Test
  void aRangeTheOperatorWidenedAllowsALowPortAndANarrowedOneRefusesTheRest() {
    ConsoleClient.Answer widened = api.patch("/settings", "{\"instance_ports\":\"80-65535\"}");
    assertThat(widened.status()).as(String.valueOf(widened.body())).isEqualTo(200);

    ConsoleClient.Answer low = api.post("/instances", "{\"name\":\"web\",\"port\":80,\"managed\":false}");
    assertThat(low.status()).as(String.valueOf(low.body())).isEqualTo(201);

    api.patch("/settings", "{\"instance_ports\":\"" + TestPorts.firstPort() + "-" + (TestPorts.firstPort() + 9) + "\"}");
    ConsoleClient.Answer above = api.post("/instances",
        "{\"name\":\"far\",\"port\":" + (TestPorts.firstPort() + 10) + ",\"managed\":false}");
    assertThat(above.status()).as(String.valueOf(above.body())).isEqualTo(400);
    assertThat(above.field()).isEqualTo("port");
    assertThat(above.error()).contains("from " + TestPorts.firstPort() + " to " + (TestPorts.firstPort() + 9));
    JsonNode web = api.get("/instances/" + low.body().path("id").asLong()).body();
    ConsoleClient.Answer untouchedPort = api.patch("/instances/" + web.path("id").asLong(),
        "{\"version\":" + web.path("version").asLong() + ",\"port\":80,\"weight\":3}");
    assertThat(untouchedPort.status()).as("an instance keeps a port the range no longer holds while it is not moved")
        .isEqualTo(200);
  }

  @Test
  void aBadRangeIsRefusedNamingTheSetting() {
    ConsoleClient.Answer answer = api.patch("/settings", "{\"instance_ports\":\"9000-80\"}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.field()).isEqualTo("instance_ports");
  }

  @Test
  void aPortAnotherProgramListensOnIsA409NamingItAndNothingIsStored() throws Exception {
    try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = held.getLocalPort();

      ConsoleClient.Answer answer = api.post("/instances", "{\"name\":\"clash\",\"port\":" + port + "}");

      assertThat(answer.status()).as(String.valueOf(answer.body())).isEqualTo(409);
      assertThat(answer.field()).isEqualTo("port");
      assertThat(answer.error()).contains("127.0.0.1:" + port).contains("in use");
      assertThat(api.get("/instances").body()).isEmpty();
      assertThat(createdEvents()).isEmpty();
    }
  }

  @Test
  void movingAnInstanceOntoAPortAnotherProgramListensOnIsA409AndTheInstanceStaysWhereItWas() throws Exception {
    JsonNode created = api.post("/instances", "{\"name\":\"mover\",\"enabled\":false}").body();
    long id = created.path("id").asLong();
    int before = created.path("port").asInt();
    try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      ConsoleClient.Answer answer = api.patch("/instances/" + id, "{\"version\":" + created.path("version").asLong()
          + ",\"enabled\":true,\"port\":" + held.getLocalPort() + "}");

      assertThat(answer.status()).as(String.valueOf(answer.body())).isEqualTo(409);
      assertThat(answer.field()).isEqualTo("port");
      assertThat(answer.error()).contains("127.0.0.1:" + held.getLocalPort());
      JsonNode now = api.get("/instances/" + id).body();
      assertThat(now.path("port").asInt()).isEqualTo(before);
      assertThat(now.path("enabled").asBoolean()).isFalse();
    }
  }

  /** The audit log's instance.create entries. */
  private List<String> createdEvents() {
    List<String> created = new ArrayList<>();
    for (JsonNode event : api.get("/events?action=instance.create").body().path("events")) {
      created.add(event.path("target").asText());
    }
    return created;
  }
}
