package dev.ollamabridge.console.supervise;

import static dev.ollamabridge.console.supervise.ProcessState.BACKOFF;
import static dev.ollamabridge.console.supervise.ProcessState.EXITED;
import static dev.ollamabridge.console.supervise.ProcessState.FATAL;
import static dev.ollamabridge.console.supervise.ProcessState.RUNNING;
import static dev.ollamabridge.console.supervise.ProcessState.STARTING;
import static dev.ollamabridge.console.supervise.ProcessState.STOPPED;
import static dev.ollamabridge.console.supervise.ProcessState.STOPPING;
import static dev.ollamabridge.console.supervise.TestPrograms.fakeOllama;
import static dev.ollamabridge.console.supervise.TestPrograms.quickPolicy;
import static dev.ollamabridge.console.supervise.TestPrograms.shell;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.testing.TestPorts;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class SupervisorTest {

  private static final String SLEEPER = "exec sleep 60";

  @TempDir
  Path dir;

  @RegisterExtension
  final Supervisors supervisors = new Supervisors();

  private final RecordingListener listener = new RecordingListener();

  @Test
  void aProgramThatAnswersItsHealthUrlBecomesRunningWithAPidAndALogFile() {
    Supervisor supervisor = supervisor(quickPolicy());
    ProgramSpec fake = fakeOllama("fake", dir);

    ProgramStatus started = supervisor.start(fake);

    assertThat(started.state()).isEqualTo(STARTING);
    ProgramStatus running = awaitState(supervisor, "fake", RUNNING);
    assertThat(running.pid()).isEqualTo(started.pid());
    assertThat(ProcessHandle.of(running.pid())).hasValueSatisfying(process -> assertThat(process.isAlive()).isTrue());
    assertThat(dir.resolve("run/fake.pid")).content().contains("pid=" + running.pid());
    assertThat(supervisor.logFile("fake")).isEqualTo(dir.resolve("logs/fake.log"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(supervisor.logFile("fake")).content().contains("listening on http://127.0.0.1:" + fake.port()));
    // listeners hear of a change just after the status shows it
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(listener.states()).containsExactly(STARTING, RUNNING));
  }

  @Test
  void theProgramGetsItsEnvironmentAndRunsInItsWorkDir() throws Exception {
    Supervisor supervisor = supervisor(quickPolicy());
    Path workDir = Files.createDirectories(dir.resolve("work"));
    String script = "echo \"key=$BRIDGE_API_KEY in $(pwd -P)\"; " + SLEEPER;
    ProgramSpec spec = new ProgramSpec("env", List.of("sh", "-c", script), Map.of("BRIDGE_API_KEY", "sk-test"),
        workDir, "127.0.0.1", TestPorts.listenPort(), null);

    supervisor.start(spec);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(supervisor.tail("env", 1)).containsExactly("key=sk-test in " + workDir.toRealPath()));
  }

  @Test
  void aProgramThatDiesAtOnceBacksOffUntilItIsFatalNamingItsExitCodeAndLastWords() {
    Supervisor supervisor = supervisor(quickPolicy());

    supervisor.start(shell("boom", dir, "echo boom; exit 3"));

    ProgramStatus fatal = awaitState(supervisor, "boom", FATAL);
    assertThat(fatal.message()).contains("gave up after 3 attempts", "exited with code 3", "boom");
    assertThat(fatal.lastExitCode()).isEqualTo(3);
    assertThat(fatal.restarts()).isEqualTo(2);
    // listeners hear of a change just after the status shows it
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(listener.states()).as("one attempt and startRetries=2 more")
        .containsExactly(STARTING, BACKOFF, STARTING, BACKOFF, STARTING, BACKOFF, FATAL));
    assertThat(dir.resolve("run/boom.pid")).doesNotExist();
  }

  @Test
  void aRunningProgramKilledWithSigkillIsRestartedWithANewPid() throws Exception {
    Supervisor supervisor = supervisor(quickPolicy());
    supervisor.start(fakeOllama("fake", dir));
    long firstPid = awaitState(supervisor, "fake", RUNNING).pid();

    new ProcessBuilder("kill", "-9", Long.toString(firstPid)).inheritIO().start().waitFor();

    ProgramStatus again = await().atMost(Duration.ofSeconds(30)).until(() -> supervisor.status("fake").orElseThrow(),
        status -> status.state() == RUNNING && status.pid() != firstPid);
    assertThat(again.restarts()).isEqualTo(1);
    assertThat(again.lastExitCode()).as("128 + SIGKILL").isEqualTo(137);
    assertThat(ProcessHandle.of(firstPid).filter(ProcessHandle::isAlive)).isEmpty();
    // listeners hear of a change just after the status shows it
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(listener.states()).containsExactly(STARTING, RUNNING, EXITED, STARTING, RUNNING));
  }

  @Test
  void stopSendsSigtermAndTheProgramEndsStopped() throws Exception {
    Supervisor supervisor = supervisor(quickPolicy());
    supervisor.start(shell("sleeper", dir, SLEEPER));
    long pid = awaitState(supervisor, "sleeper", RUNNING).pid();

    ProgramStatus stopped = supervisor.stop("sleeper").get(10, TimeUnit.SECONDS);

    assertThat(stopped.state()).isEqualTo(STOPPED);
    assertThat(stopped.lastExitCode()).as("128 + SIGTERM").isEqualTo(143);
    assertThat(stopped.message()).isNull();
    assertThat(stopped.pid()).isNull();
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(dir.resolve("run/sleeper.pid")).doesNotExist();
  }

  @Test
  void aProgramThatIgnoresSigtermIsKilledAfterStopWait() throws Exception {
    Supervisor supervisor = supervisor(quickPolicy());
    supervisor.start(shell("stubborn", dir, "trap '' TERM; while true; do sleep 1; done"));
    long pid = awaitState(supervisor, "stubborn", RUNNING).pid();

    ProgramStatus stopped = supervisor.stop("stubborn").get(10, TimeUnit.SECONDS);

    assertThat(stopped.state()).isEqualTo(STOPPED);
    assertThat(stopped.lastExitCode()).as("128 + SIGKILL").isEqualTo(137);
    assertThat(stopped.message()).isEqualTo("killed: it did not stop within 1 s of SIGTERM");
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    // listeners hear of a change just after the status shows it
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(listener.states()).containsExactly(STARTING, RUNNING, STOPPING, STOPPED));
  }

  @Test
  void aTakenPortMakesTheProgramFatalAtOnceWithoutLaunchingIt() throws Exception {
    Supervisor supervisor = supervisor(quickPolicy());
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      ProgramSpec late = new ProgramSpec("late",
          List.of("sh", "-c", "echo launched >> launched.txt; " + SLEEPER), dir, "127.0.0.1", port, null);

      ProgramStatus status = supervisor.start(late);

      assertThat(status.state()).isEqualTo(FATAL);
      assertThat(status.message()).isEqualTo("127.0.0.1:" + port + " is already in use by another program");
      assertThat(status.pid()).isNull();
      await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3))
          .until(() -> supervisor.status("late").orElseThrow().state() == FATAL);
      assertThat(dir.resolve("launched.txt")).doesNotExist();
      // listeners hear of a change just after the status shows it
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(listener.states()).containsExactly(FATAL));
    }
  }

  @Test
  void aProgramThatNeverAnswersItsHealthUrlIsStoppedAndCountsAsAFailedStart() {
    SupervisePolicy noRetries = new SupervisePolicy(Duration.ofMillis(500), 0, Duration.ofMillis(50),
        Duration.ofMillis(200), true, Duration.ofSeconds(1), 1024 * 1024, 1);
    Supervisor supervisor = supervisors.track(
        new Supervisor(dir.resolve("run"), dir.resolve("logs"), noRetries, Supervisors.HTTP, Duration.ofMillis(300)));
    supervisor.addListener(listener);
    int port = TestPorts.listenPort();
    String nobodyListens = "http://127.0.0.1:" + port + "/";

    long pid = supervisor.start(new ProgramSpec("mute", List.of("sh", "-c", SLEEPER), dir, "127.0.0.1", port,
        nobodyListens)).pid();

    ProgramStatus fatal = awaitState(supervisor, "mute", FATAL);
    assertThat(fatal.message()).contains("did not answer " + nobodyListens + " within 0.8 s");
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    // listeners hear of a change just after the status shows it
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(listener.states()).containsExactly(STARTING, BACKOFF, FATAL));
  }

  @Test
  void stoppingAProgramInBackoffCancelsItsNextAttempt() {
    SupervisePolicy slowRetries = new SupervisePolicy(Duration.ofMillis(500), 2, Duration.ofMinutes(1),
        Duration.ofMinutes(1), true, Duration.ofSeconds(1), 1024 * 1024, 1);
    Supervisor supervisor = supervisor(slowRetries);
    supervisor.start(shell("boom", dir, "exit 3"));
    awaitState(supervisor, "boom", BACKOFF);

    assertThat(supervisor.stop("boom")).isCompletedWithValueMatching(status -> status.state() == STOPPED);

    // listeners hear of a change just after the status shows it
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(listener.states()).containsExactly(STARTING, BACKOFF, STOPPED));
  }

  @Test
  void listenersSeeEachChangeInOrderEachStartingWhereTheLastOneLeft() throws Exception {
    Supervisor supervisor = supervisor(quickPolicy());

    supervisor.start(shell("sleeper", dir, SLEEPER));
    awaitState(supervisor, "sleeper", RUNNING);
    supervisor.stop("sleeper").get(10, TimeUnit.SECONDS);

    List<RecordingListener.Change> changes = listener.changes();
    // listeners hear of a change just after the status shows it
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(listener.states()).containsExactly(STARTING, RUNNING, STOPPING, STOPPED));
    assertThat(changes.get(0).from().state()).isEqualTo(STOPPED);
    for (int i = 1; i < changes.size(); i++) {
      assertThat(changes.get(i).from()).isEqualTo(changes.get(i - 1).to());
    }
  }

  @Test
  void restartReplacesTheProcessWithANewOne() throws Exception {
    Supervisor supervisor = supervisor(quickPolicy());
    supervisor.start(shell("sleeper", dir, SLEEPER));
    long firstPid = awaitState(supervisor, "sleeper", RUNNING).pid();

    ProgramStatus restarted = supervisor.restart("sleeper").get(10, TimeUnit.SECONDS);

    assertThat(restarted.state()).isEqualTo(STARTING);
    assertThat(restarted.pid()).isNotEqualTo(firstPid);
    assertThat(awaitState(supervisor, "sleeper", RUNNING).pid()).isEqualTo(restarted.pid());
    assertThat(ProcessHandle.of(firstPid).filter(ProcessHandle::isAlive)).isEmpty();
  }

  @Test
  void removeStopsTheProgramAndForgetsItButKeepsItsLog() throws Exception {
    Supervisor supervisor = supervisor(quickPolicy());
    supervisor.start(shell("sleeper", dir, "echo hello; " + SLEEPER));
    long pid = awaitState(supervisor, "sleeper", RUNNING).pid();

    supervisor.remove("sleeper").get(10, TimeUnit.SECONDS);

    assertThat(supervisor.status("sleeper")).isEmpty();
    assertThat(supervisor.statuses()).isEmpty();
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(dir.resolve("run/sleeper.pid")).doesNotExist();
    assertThat(supervisor.logFile("sleeper")).content().contains("hello");
  }

  @Test
  void startingAnActiveProgramAgainLeavesItAloneButRefusesAnotherSpec() {
    Supervisor supervisor = supervisor(quickPolicy());
    ProgramSpec sleeper = shell("sleeper", dir, SLEEPER);
    long pid = supervisor.start(sleeper).pid();

    ProgramStatus again = supervisor.start(sleeper);

    assertThat(again.pid()).isEqualTo(pid);
    assertThatThrownBy(() -> supervisor.start(shell("sleeper", dir, "exec sleep 30")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stop it before changing how it runs");
  }

  @Test
  void stoppingAProgramNobodyStartedFailsWithItsName() {
    Supervisor supervisor = supervisor(quickPolicy());

    assertThat(supervisor.stop("nobody")).failsWithin(Duration.ofSeconds(1))
        .withThrowableThat().withCauseInstanceOf(NoSuchElementException.class).withMessageContaining("'nobody'");
  }

  @Test
  void aProgramThatCannotBeLaunchedSaysWhy() throws Exception {
    SupervisePolicy noRetries = new SupervisePolicy(Duration.ofMillis(500), 0, Duration.ofMillis(50),
        Duration.ofMillis(200), true, Duration.ofSeconds(1), 1024 * 1024, 1);
    Supervisor supervisor = supervisor(noRetries);
    Path missing = Files.createDirectories(dir.resolve("bin")).resolve("no-such-program");

    ProgramStatus status = supervisor.start(new ProgramSpec("ghost", List.of(missing.toString()), dir, "127.0.0.1",
        TestPorts.listenPort(), null));

    assertThat(status.state()).isEqualTo(FATAL);
    assertThat(status.message()).contains("could not launch " + missing);
    // listeners hear of a change just after the status shows it
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(listener.states()).containsExactly(STARTING, BACKOFF, FATAL));
  }

  private Supervisor supervisor(SupervisePolicy policy) {
    Supervisor supervisor = supervisors.open(dir.resolve("run"), dir.resolve("logs"), policy);
    supervisor.addListener(listener);
    return supervisor;
  }

  static ProgramStatus awaitState(Supervisor supervisor, String name, ProcessState state) {
    return await().atMost(Duration.ofSeconds(30))
        .until(() -> supervisor.status(name).orElseThrow(), status -> status.state() == state);
  }
}
