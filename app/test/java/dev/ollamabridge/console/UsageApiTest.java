package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.usage.BridgeUsage;
import dev.ollamabridge.console.usage.UsageCounters;
import dev.ollamabridge.console.usage.UsageRepository;
import dev.ollamabridge.console.usage.UsageSource;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code GET /api/v1/usage} and {@code /usage.csv} over rows added through the repository: grouped as
 * asked, days in range and out of it, a 400 naming each broken parameter, and CSV that a spreadsheet
 * reads as text.
 */
class UsageApiTest {

  private static final LocalDate DAY = LocalDate.of(2026, 11, 3);

  @TempDir static Path data;
  private static ConsoleApp console;
  private static ConsoleClient api;

  @BeforeAll
  static void startWithUsage() {
    console = TestConsoles.start(data);
    api = TestConsoles.client(console, data);
    try (Database database = Database.open(data.resolve("console.db"))) {
      UsageRepository usage = new UsageRepository(database);
      long morning = DAY.atStartOfDay(ZoneOffset.UTC).toEpochSecond() + 9 * 3600;
      UsageSource a = new UsageSource(1, "bridge-a", "local");
      UsageSource b = new UsageSource(2, "bridge-b", "gpu-1");
      usage.add(morning, a, new BridgeUsage.Series("7", "llama"), new UsageCounters(10, 1, 100, 200, 2));
      usage.add(morning + 3600, a, new BridgeUsage.Series("7", "llama"), new UsageCounters(5, 0, 50, 60, 1));
      usage.add(morning, b, new BridgeUsage.Series("7", "=cmd|' /C calc'!A0"), new UsageCounters(3, 0, 30, 30, 0));
      usage.add(morning, b, new BridgeUsage.Series("none", "qwen, large"), new UsageCounters(4, 4, 0, 0, 0));
      // the day after the range asked below, and the day before it
      usage.add(morning + 86_400, a, new BridgeUsage.Series("7", "llama"), new UsageCounters(100, 0, 0, 0, 0));
      usage.add(morning - 86_400, a, new BridgeUsage.Series("7", "llama"), new UsageCounters(1000, 0, 0, 0, 0));
    }
  }

  @AfterAll
  static void stop() {
    Teardown.run(Teardown.closing(console));
  }

  @Test
  void theRowsAreGroupedAsAskedWithTheTotalsAndEveryDay() {
    ConsoleClient.Answer answer = api.get("/usage?from=2026-11-03&to=2026-11-04&group_by=key,model");

    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
    JsonNode body = answer.body();
    assertThat(body.path("rows")).hasSize(3);
    JsonNode first = body.path("rows").get(0);
    assertThat(first.path("key").asText()).isEqualTo("7");
    assertThat(first.path("model").asText()).isEqualTo("llama");
    assertThat(first.path("requests").asLong()).isEqualTo(15);
    assertThat(first.path("completion_tokens").asLong()).isEqualTo(260);
    assertThat(first.has("instance")).as("only the dimensions asked for").isFalse();
    assertThat(body.path("totals").path("requests").asLong()).isEqualTo(22);
    assertThat(body.path("totals").path("errors").asLong()).isEqualTo(5);
    assertThat(body.path("days")).hasSize(1);
    assertThat(body.path("days").get(0).path("day").asText()).isEqualTo("2026-11-03");
  }

  @Test
  void byInstanceAndHostOverAWeek() {
    JsonNode body = api.get("/usage?from=2026-11-01&to=2026-11-08&group_by=host,instance").body();

    assertThat(body.path("rows")).hasSize(2);
    assertThat(body.path("rows").get(0).path("instance").asText()).isEqualTo("bridge-a");
    assertThat(body.path("rows").get(0).path("requests").asLong()).isEqualTo(1115);
    assertThat(body.path("rows").get(1).path("host").asText()).isEqualTo("gpu-1");
    assertThat(body.path("days")).hasSize(7);
    assertThat(body.path("days").get(3).path("requests").asLong()).as("Nov 4").isEqualTo(100);
    assertThat(body.path("days").get(5).path("requests").asLong()).as("a day without usage").isZero();
  }

  @Test
  void withoutDatesTheLastSevenDaysAreAnswered() {
    JsonNode body = api.get("/usage").body();
    LocalDate today = LocalDate.now(ZoneOffset.UTC);

    assertThat(body.path("from").asText()).isEqualTo(today.minusDays(6).toString());
    assertThat(body.path("to").asText()).isEqualTo(today.plusDays(1).toString());
    assertThat(body.path("rows")).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "from=2026-11-3 | from | from must be a day as YYYY-MM-DD",
      "from=2026-02-30 | from | from is not a day of the calendar",
      "to=yesterday | to | to must be a day as YYYY-MM-DD",
      "from=2026-11-04&to=2026-11-04 | to | to must be a later day than from",
      "from=2000-01-01&to=2030-01-01 | to | at most 3660 days apart",
      "group_by=key,colour | group_by | not 'colour'",
      "group_by=key,key | group_by | names key twice",
      "from=1999-12-31 | from | from the year 2000"})
  void aBrokenParameterIsA400NamingIt(String query, String field, String message) {
    for (String path : new String[] {"/usage?", "/usage.csv?"}) {
      ConsoleClient.Answer answer = api.get(path + query);

      assertThat(answer.status()).as(path + query).isEqualTo(400);
      assertThat(answer.field()).isEqualTo(field);
      assertThat(answer.error()).contains(message);
    }
  }

  @Test
  void theCsvIsRfc4180AndNoCellIsAFormula() {
    ConsoleClient.Text csv = api.text("/usage.csv?from=2026-11-03&to=2026-11-04&group_by=key,model,instance");

    assertThat(csv.status()).isEqualTo(200);
    assertThat(csv.body()).isEqualTo(""
        + "from,to,key,key_name,model,instance,requests,errors,prompt_tokens,completion_tokens,cache_hits\r\n"
        + "2026-11-03,2026-11-04,7,,llama,bridge-a,15,1,150,260,3\r\n"
        + "2026-11-03,2026-11-04,none,,\"qwen, large\",bridge-b,4,4,0,0,0\r\n"
        + "2026-11-03,2026-11-04,7,,'=cmd|' /C calc'!A0,bridge-b,3,0,30,30,0\r\n");
  }

  @Test
  void theCsvWithoutGroupsIsOneLineOfTotals() {
    ConsoleClient.Text csv = api.text("/usage.csv?from=2026-11-03&to=2026-11-04");

    assertThat(csv.body()).isEqualTo("from,to,requests,errors,prompt_tokens,completion_tokens,cache_hits\r\n"
        + "2026-11-03,2026-11-04,22,5,180,290,3\r\n");
  }
}
