package dev.ollamabridge.console.nginx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.Retention;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listeners hear of every apply, whatever its result, with how long it took: what the console's metrics count. */
class ApplyListenerTest {

  private static final String CONFIG = "# Revision r1\nevents {}\n";
  /** Far longer than an apply against this fake nginx takes: a future not done by then never will be. */
  private static final long PATIENCE_S = 30;

  @TempDir Path dir;
  private final MockWebServer nginx = new MockWebServer();
  private final List<String> heard = new CopyOnWriteArrayList<>();
  private final List<Duration> took = new CopyOnWriteArrayList<>();
  private Database database;
  private NginxApplier applier;

  @BeforeEach
  void start() throws Exception {
    nginx.start(InetAddress.getByName("127.0.0.1"), 0);
    database = Database.open(dir.resolve("console.db"));
  }

  @AfterEach
  void stop() {
    applier.close();
    database.close();
    nginx.close();
  }

  @Test
  void anAppliedConfigurationIsToldAsApplied() throws Exception {
    applier = applier(new Target(true));
    nginx.enqueue(new MockResponse.Builder().addHeader("X-Config-Revision", "r1").build());

    applier.request("test").get(PATIENCE_S, TimeUnit.SECONDS);

    assertThat(heard).containsExactly("applied");
    assertThat(took).singleElement().satisfies(duration -> assertThat(duration).isPositive());
  }

  @Test
  void aConfigurationNginxRefusesIsToldAsRejected() {
    applier = applier(new Target(false));

    assertThatThrownBy(() -> applier.request("test").get(PATIENCE_S, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NginxFailure.class);

    assertThat(heard).containsExactly("rejected");
    assertThat(took).singleElement().satisfies(duration -> assertThat(duration).isPositive());
  }

  @Test
  void aListenerThatFailsInAnyWayNeitherFailsTheApplyNorKeepsOthersFromHearingIt() throws Exception {
    applier = applier(new Target(true));
    applier.addListener((revision, took) -> {
      throw new AssertionError("a listener's own assertion");
    });
    applier.addListener((revision, took) -> {
      throw new IllegalStateException("a listener's own bug");
    });
    applier.addListener((revision, took) -> heard.add("after the failing ones: " + revision.result()));
    nginx.enqueue(new MockResponse.Builder().addHeader("X-Config-Revision", "r1").build());

    Revision applied = applier.request("test").get(PATIENCE_S, TimeUnit.SECONDS);

    assertThat(applied.result()).isEqualTo("applied");
    assertThat(heard).containsExactly("applied", "after the failing ones: applied");
  }

  @Test
  void aListenerThatRunsTheMachineOutOfStackFailsTheApplysFutureInsteadOfLeavingItPending() throws Exception {
    applier = applier(new Target(true));
    applier.addListener((revision, took) -> {
      throw new StackOverflowError("a listener's runaway recursion");
    });
    nginx.enqueue(new MockResponse.Builder().addHeader("X-Config-Revision", "r1").build());

    assertThatThrownBy(() -> applier.request("test").get(PATIENCE_S, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(StackOverflowError.class);

    nginx.enqueue(new MockResponse.Builder().addHeader("X-Config-Revision", "r1").build());
    assertThat(applier.request("test").handle((revision, e) -> e).get(PATIENCE_S, TimeUnit.SECONDS))
        .as("the apply thread lives on").isInstanceOf(StackOverflowError.class);
  }

  private NginxApplier applier(NginxTarget target) {
    Retention keep = new Retention(100, Duration.ofDays(30));
    NginxApplier created = new NginxApplier(() -> CONFIG, target, new RevisionRepository(database, () -> keep),
        new EventLog(database, () -> keep), () -> new HostPort("127.0.0.1", nginx.getPort()), Duration.ZERO,
        new okhttp3.OkHttpClient());
    created.addListener((revision, took) -> {
      this.took.add(took);
      heard.add(revision.result());
    });
    return created;
  }

  /** An nginx that accepts or refuses every candidate, and reloads without fault. */
  private static final class Target implements NginxTarget {

    private final boolean accepts;
    private String staged;
    private String current;

    Target(boolean accepts) {
      this.accepts = accepts;
    }

    @Override
    public void stage(String config) {
      staged = config;
    }

    @Override
    public Commands.Outcome test() {
      return new Commands.Outcome(accepts ? 0 : 1, accepts ? "syntax is ok" : "unknown directive");
    }

    @Override
    public void unstage() {
      staged = null;
    }

    @Override
    public void promote() {
      current = staged;
    }

    @Override
    public Commands.Outcome reload() {
      return new Commands.Outcome(0, "");
    }

    @Override
    public void restoreLastGood() {
      current = null;
    }

    @Override
    public String current() {
      return current;
    }
  }
}
