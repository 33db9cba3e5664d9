package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.web.Browser;
import dev.ollamabridge.console.web.Page;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster of the size real Ollama boxes make: three instances of 500 models each, a tenth of the
 * names 200 characters long and some that differ only in case between instances. Every apply
 * passes {@code nginx -t}, nginx lists every name, a request for any of them reaches an instance
 * that has it, and the API, the Models page and nginx.conf agree on who serves what.
 */
class ClusterSizeTest {

  private static final int PER_INSTANCE = 500;
  private static final int SHARED = 20;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(60)).build();
  private static final Pattern MAP_ENTRY = Pattern.compile("^\\s+\"([^\"]+)\" \"@(group_\\d+)\";$", Pattern.MULTILINE);

  @TempDir Path data;

  @Test
  void threeInstancesOfFiveHundredModelsAreRoutedListedAndShownAlike() throws Exception {
    Map<String, List<String>> names = new HashMap<>();
    List<FakeOllama> backends = new ArrayList<>();
    try (ManagedNginxFixture nginx = new ManagedNginxFixture(data)) {
      for (String instance : List.of("one", "two", "three")) {
        List<String> listed = names(instance);
        names.put(instance, listed);
        FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withModels(listed.toArray(String[]::new))
            .withTokens(1));
        backends.add(backend);
        nginx.create(instance, backend.baseUrl(), 1);
      }
      Set<String> allNames = new TreeSet<>();
      names.values().forEach(allNames::addAll);
      Set<String> keys = new HashSet<>();
      allNames.forEach(name -> keys.add(name.toLowerCase(Locale.ROOT)));

      // settled: every instance up in the config nginx serves, and every model in its map
      await().atMost(ManagedNginxFixture.PATIENCE.multipliedBy(2)).until(() -> {
        String config = nginx.appliedConfig();
        return config != null && mapOf(config).keySet().containsAll(keys)
            && List.of("one", "two", "three").stream().allMatch(n -> config.lines().anyMatch(l -> l.endsWith("; # " + n)));
      });
      String config = nginx.appliedConfig();

      JsonNode revisions = nginx.api.get("/nginx/revisions").body().path("revisions");
      assertThat(revisions.findValuesAsText("result")).as("every apply passed nginx -t and was served").containsOnly("applied");
      assertThat(list(nginx.nginxPort, "/v1/models", "data", "id")).as("nginx lists every name").isEqualTo(new ArrayList<>(allNames));
      assertThat(list(nginx.nginxPort, "/api/tags", "models", "name")).isEqualTo(new ArrayList<>(allNames));

      // the API, nginx.conf and the Models page say the same of every model
      Map<String, Set<String>> byApi = new HashMap<>();
      for (JsonNode model : nginx.api.get("/models").body().path("models")) {
        Set<String> servers = new TreeSet<>(model.path("instances").findValuesAsText("name"));
        model.path("spellings").forEach(spelling -> byApi.put(spelling.asText(), servers));
      }
      Map<String, Set<String>> byNginx = serversByName(config, allNames);
      assertThat(byApi).isEqualTo(byNginx);
      long pageStarted = System.nanoTime();
      Page page = Browser.loggedIn(nginx.console, data).get("/models");
      long pageMillis = (System.nanoTime() - pageStarted) / 1_000_000;
      assertThat(page.status()).isEqualTo(200);
      for (String name : List.of("shared-case-480", "one-model-0-" + "l".repeat(10), "three-model-479")) {
        assertThat(page.body()).contains(name);
      }
      assertThat(byNginx.get("Shared-Case-480")).containsExactly("one", "three", "two");

      // a request for any name reaches an instance whose backend has it (a backend answers 404 to others)
      Map<String, Integer> refused = new ConcurrentHashMap<>();
      ExecutorService clients = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> sent = new ArrayList<>();
        for (String name : allNames) {
          sent.add(clients.submit(() -> {
            int status = chat(nginx.nginxPort, name);
            if (status != 200) {
              refused.put(name, status);
            }
          }));
        }
        for (Future<?> one : sent) {
          one.get();
        }
      } finally {
        clients.shutdownNow();
      }
      assertThat(refused).as("requests not answered 200").isEmpty();

      long nginxStarted = System.nanoTime();
      Page nginxPage = Browser.loggedIn(nginx.console, data).get("/nginx");
      long nginxMillis = (System.nanoTime() - nginxStarted) / 1_000_000;
      assertThat(nginxPage.status()).isEqualTo(200);
      System.out.printf("%d names, %d routing keys, nginx.conf %d KiB: Models page %d ms, nginx page %d ms%n",
          allNames.size(), keys.size(), config.length() / 1024, pageMillis, nginxMillis);
      assertThat(Math.max(pageMillis, nginxMillis)).as("pages of a large cluster are not minutes away").isLessThan(10_000);
    } finally {
      backends.forEach(FakeOllama::close);
    }
  }

  /** 500 names of one instance: 480 of its own (every tenth 200 characters long), 20 that others list in another case. */
  private static List<String> names(String instance) {
    List<String> names = new ArrayList<>();
    for (int k = 0; k < PER_INSTANCE - SHARED; k++) {
      String name = instance + "-model-" + k;
      names.add(k % 10 == 0 ? (name + "-" + "l".repeat(200)).substring(0, 200) : name);
    }
    for (int k = PER_INSTANCE - SHARED; k < PER_INSTANCE; k++) {
      String name = "shared-case-" + k;
      names.add(switch (instance) {
        case "one" -> "Shared-Case-" + k;
        case "two" -> name;
        default -> name.toUpperCase(Locale.ROOT);
      });
    }
    return names;
  }

  /** Name (lower case) → group, from nginx.conf's map. */
  private static Map<String, String> mapOf(String config) {
    Map<String, String> map = new HashMap<>();
    Matcher entry = MAP_ENTRY.matcher(config);
    while (entry.find()) {
      map.put(entry.group(1), entry.group(2));
    }
    return map;
  }

  /** Each name → the instances of the upstream group nginx sends it to. */
  private static Map<String, Set<String>> serversByName(String config, Set<String> names) {
    Map<String, String> map = mapOf(config);
    Map<String, Set<String>> servers = new HashMap<>();
    for (String name : names) {
      String group = map.get(name.toLowerCase(Locale.ROOT));
      String upstream = config.substring(config.indexOf("upstream " + group + " {"));
      upstream = upstream.substring(0, upstream.indexOf('}'));
      Set<String> instances = new TreeSet<>();
      upstream.lines().filter(line -> line.contains("; # ")).forEach(line -> instances.add(line.substring(line.indexOf("; # ") + 4)));
      servers.put(name, instances);
    }
    return servers;
  }

  private static List<String> list(int port, String path, String array, String field) throws IOException {
    try (Response response = HTTP.newCall(new Request.Builder().url("http://127.0.0.1:" + port + path).build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      JsonNode list = JSON.readTree(response.body().string()).path(array);
      return StreamSupport.stream(list.spliterator(), false).map(m -> m.path(field).asText()).toList();
    }
  }

  private static int chat(int port, String model) {
    Request request = new Request.Builder().url("http://127.0.0.1:" + port + "/api/chat")
        .post(RequestBody.create("{\"model\":\"" + model + "\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            MediaType.get("application/json"))).build();
    try (Response response = HTTP.newCall(request).execute()) {
      response.body().bytes();
      return response.code();
    } catch (IOException e) {
      return 0;
    }
  }
}
