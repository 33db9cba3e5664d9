package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.web.Browser;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shared cache's settings through the API: each bad value is a 400 naming its setting and rule,
 * a password never goes through a URL and is never echoed, the password setting is the operator's
 * (environment only) and shown as set or not, never its value.
 */
class RedisCacheSettingsTest {

  private static final String PASSWORD = "Sup3r-secret-redis-pw";

  @TempDir static Path data;
  private static ConsoleApp console;
  private static ConsoleClient api;

  @BeforeAll
  static void start() {
    console = TestConsoles.start(TestConsoles.offline(data).withOperator(Setting.CACHE_REDIS_PASSWORD, PASSWORD), data);
    api = TestConsoles.client(console, data);
  }

  @AfterAll
  static void stop() {
    if (console != null) {
      console.close();
    }
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "cache.redis_url | redis://:hunter2-pw@127.0.0.1:6379 | must not carry a password: put the password in the console's OLLAMA_BRIDGE_CACHE_REDIS_PASSWORD",
      "cache.redis_url | redis://default:hunter2-pw@127.0.0.1:6379/0 | put the password in the console's OLLAMA_BRIDGE_CACHE_REDIS_PASSWORD",
      "cache.redis_url | http://127.0.0.1:6379 | must be empty or redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB]",
      "cache.redis_url | redis://127.0.0.1:6379/x | must be empty or redis://HOST:PORT[/DB]",
      "cache.redis_url | redis://127.0.0.1:6379/0?x=hunter2-pw | must be empty or redis://HOST:PORT[/DB]",
      "cache.redis_url | 'redis://127.0.0.1:6379 --x' | must be empty or redis://HOST:PORT[/DB]",
      "cache.redis_managed | 0.0.0.0:6390 | must be off or the HOST:PORT the console's Redis binds and every bridge dials",
      "cache.redis_managed | '[::]:6390' | one address, not 0.0.0.0 or ::",
      "cache.redis_managed | on | must be off or the HOST:PORT",
      "cache.redis_max_memory_mb | 8 | must be an integer from 16 to 1048576"})
  void aBadValueIsRefusedNamingItsSettingAndRuleWithoutEchoingIt(String key, String value, String rule) {
    ConsoleClient.Answer refused = api.patch("/settings", "{\"" + key + "\":\"" + value + "\"}");

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.field()).isEqualTo(key);
    assertThat(refused.error()).startsWith(key + " ").contains(rule).doesNotContain("hunter2");
    assertThat(api.get("/settings").body().path(key).asText()).isEqualTo(Setting.byKey(key).orElseThrow().defaultValue());
  }

  @Test
  void aGoodUrlIsStoredAsGiven() {
    ConsoleClient.Answer set = api.patch("/settings", "{\"cache.redis_url\":\"rediss://[::1]:6380/3\"}");
    ConsoleClient.Answer off = api.patch("/settings", "{\"cache.redis_url\":\"\"}");

    assertThat(set.status()).as(String.valueOf(set.body())).isEqualTo(200);
    assertThat(set.body().path("cache.redis_url").asText()).isEqualTo("rediss://[::1]:6380/3");
    assertThat(off.body().path("cache.redis_url").asText()).isEmpty();
  }

  @Test
  void aUrlAndAManagedRedisTogetherAreRefusedNamingBoth() {
    ConsoleClient.Answer refused = api.patch("/settings",
        "{\"cache.redis_url\":\"redis://10.0.0.5:6379\",\"cache.redis_managed\":\"127.0.0.1:6391\"}");

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.field()).isEqualTo("cache.redis_url");
    assertThat(refused.error()).contains("cache.redis_url and cache.redis_managed cannot both be set");
    assertThat(api.get("/settings").body().path("cache.redis_managed").asText()).isEqualTo("off");
  }

  @Test
  void thePasswordIsTheOperatorsShownAsSetAndNeverItsValue() {
    ConsoleClient.Answer refused = api.patch("/settings", "{\"cache.redis_password\":\"other-pw\"}");
    ConsoleClient.Answer shown = api.get("/settings");
    String page = Browser.loggedIn(console, data).get("/settings").body();

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.field()).isEqualTo("cache.redis_password");
    assertThat(refused.error()).contains("OLLAMA_BRIDGE_CACHE_REDIS_PASSWORD").doesNotContain("--cache-redis-password");
    assertThat(shown.body().path("cache.redis_password").asText()).isEqualTo("set");
    assertThat(shown.body().toString()).doesNotContain(PASSWORD);
    assertThat(api.get("/cache").body().toString()).doesNotContain(PASSWORD);
    assertThat(page).contains("data-setting=\"cache.redis_password\">set<", "OLLAMA_BRIDGE_CACHE_REDIS_PASSWORD")
        .doesNotContain(PASSWORD);
    assertThat(console.toString()).doesNotContain(PASSWORD);
  }
}
