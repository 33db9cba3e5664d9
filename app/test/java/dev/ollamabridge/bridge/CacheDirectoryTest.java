package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache directory may hold other things, and may be shared: the cache reads, writes and
 * prunes only regular files of its own naming, never following links, and keeps them private.
 */
class CacheDirectoryTest {

  private static final String QUESTION = """
      {"model":"fake-llama","stream":false,"messages":[{"role":"user","content":"Question %s"}]}""";
  /** A file of someone else's that happens to be named by a hex digest. */
  private static final String FOREIGN_HEX_NAME = "ab" + "0".repeat(62) + ".json";
  /** A client that gives up long before a hung request would, and long after a slow one. */
  private static final OkHttpClient PATIENT = TestBridges.HTTP.newBuilder().callTimeout(Duration.ofSeconds(20)).build();

  @TempDir Path dir;
  @TempDir Path elsewhere;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(4));
  private BridgeServer bridge;

  @AfterEach
  void stop() {
    TestBridges.close(bridge);
    backend.close();
  }

  @Test
  void thePruneLeavesFilesThatAreNotItsOwn() throws IOException {
    Path config = Files.writeString(dir.resolve("config1.json"), "{\"keep\":true}");
    Path nested = Files.writeString(Files.createDirectories(dir.resolve("sub")).resolve("package.json"), "{}");
    Path hexNamed = Files.writeString(Files.createDirectories(dir.resolve("ab")).resolve(FOREIGN_HEX_NAME), "{}");
    bridge = cachingBridge("--cache-max-entries", "2");
    ask(bridge, "one");
    Path entry = ownEntries().get(0);
    Path target = Files.writeString(elsewhere.resolve("precious.json"), "{}");
    Path lookalike = Files.createSymbolicLink(entry.resolveSibling(otherKeyName(entry)), target);

    for (String question : List.of("two", "three", "four", "five")) {
      ask(bridge, question);
    }

    assertThat(ownEntries()).hasSizeLessThanOrEqualTo(2);
    assertThat(config).hasContent("{\"keep\":true}");
    assertThat(nested).exists();
    assertThat(hexNamed).exists();
    assertThat(Files.isSymbolicLink(lookalike)).as("a link named like an entry is left alone").isTrue();
    assertThat(target).exists();
  }

  @Test
  void aFifoNamedLikeAnEntryIsAMissNotAHang() throws Exception {
    bridge = cachingBridge("--timeout", "3000");
    ask(bridge, "one");
    Path entry = ownEntries().get(0);
    TestBridges.close(bridge);
    Files.delete(entry);
    Process mkfifo = new ProcessBuilder("mkfifo", entry.toString()).inheritIO().start();
    assertThat(mkfifo.waitFor()).isZero();
    bridge = cachingBridge("--timeout", "3000");

    try (Response again = ask(bridge, "one")) {
      assertThat(again.code()).isEqualTo(200);
      assertThat(again.header("bridge-cache-hit")).isEqualTo("false");
    }
  }

  @Test
  void aSymlinkNamedLikeAnEntryIsNotRead() throws IOException {
    bridge = cachingBridge();
    ask(bridge, "one");
    Path entry = ownEntries().get(0);
    TestBridges.close(bridge);
    Path moved = Files.move(entry, elsewhere.resolve("entry.json"));
    Files.createSymbolicLink(entry, moved);
    bridge = cachingBridge();

    try (Response again = ask(bridge, "one")) {
      assertThat(again.header("bridge-cache-hit")).isEqualTo("false");
    }
    assertThat(moved).exists();
  }

  @Test
  void entriesAndTheDirectoryItCreatesAreTheOwnersAlone() throws IOException {
    Path created = dir.resolve("made-by-the-bridge");
    bridge = TestBridges.inFrontOf(backend, "--enable-cache", "--cache-dir", created.toString());

    ask(bridge, "one");

    assertThat(mode(created)).isEqualTo("rwx------");
    Path entry = entriesUnder(created).get(0);
    assertThat(mode(entry)).isEqualTo("rw-------");
    assertThat(mode(entry.getParent())).isEqualTo("rwx------");
  }

  private BridgeServer cachingBridge(String... flags) {
    List<String> args = new java.util.ArrayList<>(List.of("--enable-cache", "--cache-dir", dir.toString()));
    args.addAll(List.of(flags));
    return TestBridges.inFrontOf(backend, args.toArray(String[]::new));
  }

  private static Response ask(BridgeServer bridge, String question) {
    Request request = new Request.Builder()
        .url(TestBridges.url(bridge, "/api/chat"))
        .post(RequestBody.create(QUESTION.formatted(question), MediaType.get("application/json")))
        .build();
    try {
      Response response = PATIENT.newCall(request).execute();
      byte[] body = response.body().bytes();
      return response.newBuilder().body(okhttp3.ResponseBody.create(body, MediaType.get("application/json"))).build();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The regular files the cache wrote: every one whose name holds a 64-digit hex key. */
  private List<Path> ownEntries() throws IOException {
    return entriesUnder(dir);
  }

  private static List<Path> entriesUnder(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
          .filter(file -> file.getFileName().toString().matches(".*[0-9a-f]{64}.*"))
          .filter(file -> !file.getFileName().toString().equals(FOREIGN_HEX_NAME))
          .toList();
    }
  }

  /** The name of {@code entry} with another key in place of its own. */
  private static String otherKeyName(Path entry) {
    String name = entry.getFileName().toString();
    return name.replaceFirst("[0-9a-f]{64}", "f".repeat(64));
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }
}
