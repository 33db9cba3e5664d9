package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.digest.Sha256;
import dev.ollamabridge.link.KeyRule;
import dev.ollamabridge.link.KeyRules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The client keys' REST API and the document it publishes, on a console without bridges: a key's
 * secret is in the answer that made it and nowhere else (only its hash in the database and the keys
 * file), bad input is a 400 naming the field, and the keys file follows every change.
 */
class ClientKeysApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();

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
    console.close();
  }

  @Test
  void theSecretIsShownOnceAndOnlyItsHashIsKept() throws Exception {
    ConsoleClient.Answer created = api.post("/keys", "{\"name\":\"chat-app\",\"owner\":\"team a\",\"models\":[\"llama3*\",\"qwen2\"],"
        + "\"requests_per_minute\":60,\"tokens_per_day\":100000}");

    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    String secret = created.body().path("secret").asText();
    assertThat(secret).matches("ob-[A-Za-z0-9_-]{43}");
    assertThat(created.body().path("prefix").asText()).isEqualTo(secret.substring(0, 7) + "…");
    long id = created.body().path("id").asLong();

    String listed = api.get("/keys").body().toString() + api.get("/keys/" + id).body() + api.get("/events").body();
    assertThat(listed).contains("chat-app").doesNotContain(secret).doesNotContain(secret.substring(7));
    assertThat(api.get("/events").body().toString()).contains("key.created");
    for (Path file : databaseFiles()) {
      assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).as(file.toString())
          .doesNotContain(secret.substring(3));
    }
    KeyRules rules = keysFile();
    assertThat(rules.keys()).extracting(KeyRule::sha256).contains(Sha256.hex(secret));
    assertThat(Files.readString(keysPath())).doesNotContain(secret.substring(3));
  }

  @Test
  void theKeysFileFollowsEveryChangeAndCarriesTheConsolesOwnKey() throws Exception {
    KeyRules open = keysFile();
    String consoleSecret = Files.readString(data.resolve("keys/console-key")).strip();
    assertThat(open.required()).as("auto, and no key yet").isFalse();
    assertThat(open.keys()).singleElement().satisfies(internal -> {
      assertThat(internal.internal()).isTrue();
      assertThat(internal.sha256()).isEqualTo(Sha256.hex(consoleSecret));
    });
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keysPath()))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("keys/console-key"))))
        .isEqualTo("rw-------");

    Instant expiry = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    long id = api.post("/keys", "{\"name\":\"batch\",\"models\":[\"llama3\"],\"requests_per_minute\":5,\"tokens_per_day\":900,"
        + "\"expires_at\":\"" + expiry + "\"}").body().path("id").asLong();
    KeyRules withKey = keysFile();
    assertThat(withKey.required()).as("auto: a key exists").isTrue();
    KeyRule batch = withKey.keys().stream().filter(k -> !k.internal()).findFirst().orElseThrow();
    assertThat(batch).extracting(KeyRule::id, KeyRule::name, KeyRule::models, KeyRule::requestsPerMinute,
        KeyRule::tokensPerDay, KeyRule::expiresAtEpochMs, KeyRule::enabled)
        .containsExactly(Long.toString(id), "batch", java.util.List.of("llama3"), 5, 900L, expiry.toEpochMilli(), true);

    assertThat(api.patch("/keys/" + id, "{\"enabled\":false,\"requests_per_minute\":0}").status()).isEqualTo(200);
    assertThat(keysFile().keys()).filteredOn(k -> !k.internal()).singleElement()
        .satisfies(k -> assertThat(k.enabled()).isFalse()).satisfies(k -> assertThat(k.requestsPerMinute()).isZero());

    assertThat(api.patch("/settings", "{\"keys.required\":\"off\"}").status()).isEqualTo(200);
    assertThat(keysFile().required()).isFalse();
    assertThat(api.patch("/settings", "{\"keys.required\":\"auto\"}").status()).isEqualTo(200);
    assertThat(keysFile().required()).isTrue();

    assertThat(api.delete("/keys/" + id).status()).isEqualTo(204);
    assertThat(keysFile().keys()).as("a revoked key is simply unknown").allMatch(KeyRule::internal);
    assertThat(keysFile().required()).as("auto, and no key in use").isFalse();
    assertThat(api.get("/keys").body()).isEmpty();
    JsonNode revoked = api.get("/keys?revoked=true").body();
    assertThat(revoked).singleElement().satisfies(k -> assertThat(k.path("state").asText()).isEqualTo("revoked"));
    assertThat(api.delete("/keys/" + id).status()).as("revoked already").isEqualTo(404);
    assertThat(api.patch("/keys/" + id, "{\"enabled\":true}").status()).isEqualTo(404);
    assertThat(api.post("/keys", "{\"name\":\"batch\"}").status()).as("a revoked key's name is free again").isEqualTo(201);
    assertThat(api.post("/keys", "{\"name\":\"batch\"}").field()).as("but not a live one's").isEqualTo("name");
  }

  @Test
  void theConsolesOwnKeyIsMadeOnceAndKeptAcrossRestarts() throws Exception {
    String first = Files.readString(data.resolve("keys/console-key"));
    console.close();
    console = TestConsoles.start(data);
    assertThat(Files.readString(data.resolve("keys/console-key"))).isEqualTo(first);
  }

  @ParameterizedTest(name = "{0} → 400 naming {1}")
  @CsvSource(delimiter = '|', value = {
      "{}|name",
      "{\"name\":\"\"}|name",
      "{\"name\":\"   \"}|name",
      "{\"name\":\"a\\u0007bell\"}|name",
      "{\"name\":\"line\\nbreak\"}|name",
      "{\"name\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}|name",
      "{\"name\":42}|name",
      "{\"name\":\"k\",\"owner\":\"\\u001b[31m\"}|owner",
      "{\"name\":\"k\",\"models\":\"llama3\"}|models",
      "{\"name\":\"k\",\"models\":[\"bad model\"]}|models",
      "{\"name\":\"k\",\"models\":[\"*x\"]}|models",
      "{\"name\":\"k\",\"models\":[7]}|models",
      "{\"name\":\"k\",\"requests_per_minute\":-1}|requests_per_minute",
      "{\"name\":\"k\",\"requests_per_minute\":1.5}|requests_per_minute",
      "{\"name\":\"k\",\"requests_per_minute\":1000001}|requests_per_minute",
      "{\"name\":\"k\",\"tokens_per_day\":-5}|tokens_per_day",
      "{\"name\":\"k\",\"tokens_per_day\":\"many\"}|tokens_per_day",
      "{\"name\":\"k\",\"expires_at\":\"2001-01-01T00:00:00Z\"}|expires_at",
      "{\"name\":\"k\",\"expires_at\":\"tomorrow\"}|expires_at",
      "{\"name\":\"k\",\"enabled\":\"yes\"}|enabled",
      "{\"name\":\"k\",\"secret\":\"ob-mine\"}|secret",
  })
  void badInputIsRefusedNamingTheField(String body, String field) throws Exception {
    ConsoleClient.Answer answer = api.post("/keys", body);

    assertThat(answer.status()).as(String.valueOf(answer.body())).isEqualTo(400);
    assertThat(answer.field()).isEqualTo(field);
    assertThat(answer.error()).contains(field);
    assertThat(api.get("/keys").body()).as("nothing was made").isEmpty();
    assertThat(keysFile().keys()).allMatch(KeyRule::internal);
  }

  @Test
  void tooManyModelsAndUnknownIdsAreRefused() {
    String hundredOne = Stream.iterate(0, i -> i + 1).limit(101).map(i -> "\"m" + i + "\"")
        .reduce((a, b) -> a + "," + b).orElseThrow();
    assertThat(api.post("/keys", "{\"name\":\"k\",\"models\":[" + hundredOne + "]}").field()).isEqualTo("models");
    assertThat(api.get("/keys/999").status()).isEqualTo(404);
    assertThat(api.patch("/keys/abc", "{}").status()).isEqualTo(400);
    assertThat(api.delete("/keys/999").status()).isEqualTo(404);
    assertThat(api.withToken(null).get("/keys").status()).isEqualTo(401);
  }

  private Path keysPath() {
    return data.resolve("keys/client-keys.json");
  }

  private KeyRules keysFile() throws Exception {
    return JSON.readValue(Files.readString(keysPath()), KeyRules.class);
  }

  private java.util.List<Path> databaseFiles() throws Exception {
    try (Stream<Path> files = Files.list(data)) {
      return files.filter(f -> f.getFileName().toString().startsWith("console.db")).toList();
    }
  }
}
