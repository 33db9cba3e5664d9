package dev.ollamabridge.console.supervise;

import static dev.ollamabridge.console.supervise.ProcessState.EXITED;
import static dev.ollamabridge.console.supervise.ProcessState.RUNNING;
import static dev.ollamabridge.console.supervise.ProcessState.STARTING;
import static dev.ollamabridge.console.supervise.SupervisorTest.awaitState;
import static dev.ollamabridge.console.supervise.TestPrograms.fakeOllama;
import static dev.ollamabridge.console.supervise.TestPrograms.loop;
import static dev.ollamabridge.console.supervise.TestPrograms.marked;
import static dev.ollamabridge.console.supervise.TestPrograms.quickPolicy;
import static dev.ollamabridge.console.supervise.TestPrograms.shell;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A console that restarts finds the programs it launched still running, and takes them back: through
 * their pid files, or through the markers on their command lines where a pid file was never written.
 */
class AdoptionTest {

  private static final Pattern LISTENING = Pattern.compile("listening on");

  @TempDir
  Path dir;

  @RegisterExtension
  final Supervisors supervisors = new Supervisors();

  private final RecordingListener listener = new RecordingListener();

  @Test
  void aSecondSupervisorAdoptsTheProgramAClosedOneLeftRunning() throws Exception {
    ProgramSpec fake = fakeOllama("fake", dir);
    long pid = runThenClose(fake);

    Supervisor second = secondSupervisor();
    ProgramStatus adopted = second.start(fake);

    assertThat(adopted.state()).isEqualTo(RUNNING);
    assertThat(adopted.pid()).isEqualTo(pid);
    assertThat(adopted.message()).startsWith("adopted");
    // listeners hear of a change just after the status shows it
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(listener.states()).containsExactly(RUNNING));
    assertThat(LISTENING.matcher(Files.readString(second.logFile("fake"))).results().count())
        .as("the fake started once, so it was not launched again").isEqualTo(1);
  }

  @Test
  void anAdoptedProgramThatDiesIsRestartedLikeALaunchedOne() throws Exception {
    ProgramSpec fake = fakeOllama("fake", dir);
    long pid = runThenClose(fake);
    Supervisor second = secondSupervisor();
    second.start(fake);

    new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start().waitFor();

    ProgramStatus again = await().atMost(Duration.ofSeconds(30)).until(() -> second.status("fake").orElseThrow(),
        status -> status.state() == RUNNING && status.pid() != pid);
    assertThat(again.restarts()).isEqualTo(1);
    assertThat(again.lastExitCode()).as("only a parent learns the exit code").isNull();
    // listeners hear of a change just after the status shows it
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(listener.states()).containsExactly(RUNNING, EXITED, STARTING, RUNNING));
  }

  @Test
  void anAdoptedProgramThatDoesNotAnswerYetIsStartingNotRunning() {
    ProgramSpec quiet = shell("quiet", dir, "exec sleep 60");
    long pid = runThenClose(quiet);
    String nobodyListens = "http://127.0.0.1:" + quiet.port() + "/";
    Supervisor second = secondSupervisor();

    ProgramStatus adopted = second.start(new ProgramSpec("quiet", quiet.command(), dir, "127.0.0.1", quiet.port(),
        nobodyListens));

    assertThat(adopted.state()).isEqualTo(STARTING);
    assertThat(adopted.pid()).isEqualTo(pid);
    assertThat(adopted.message()).isEqualTo("adopted: launched earlier, not answering yet");
  }

  @Test
  void aStalePidFileIsDeletedAndTheProgramLaunchedAnew() throws Exception {
    Path pidFile = Files.createDirectories(dir.resolve("run")).resolve("sleeper.pid");
    long ourPid = ProcessHandle.current().pid();
    Files.writeString(pidFile, "pid=" + ourPid + "\nstarted=2001-01-01T00:00:00Z\n");
    Supervisor supervisor = secondSupervisor();

    ProgramStatus status = supervisor.start(shell("sleeper", dir, "exec sleep 60"));

    assertThat(status.state()).isEqualTo(STARTING);
    assertThat(status.pid()).isNotEqualTo(ourPid);
    assertThat(pidFile).content().contains("pid=" + status.pid());
  }

  @Test
  void aProgramWhosePidFileWasNeverWrittenIsFoundByItsCommandLineAdoptedAndRemovable() throws Exception {
    ProgramSpec fake = marked(fakeOllama("fake", dir), dir);
    long pid = runThenClose(fake);
    // as if the console had been killed between the launch and the pid file
    Files.delete(pidFile("fake"));
    Supervisor second = secondSupervisor();

    ProgramStatus adopted = second.start(fake);

    assertThat(adopted.state()).isEqualTo(RUNNING);
    assertThat(adopted.pid()).isEqualTo(pid);
    assertThat(adopted.message()).isEqualTo("adopted: launched earlier, found by its command line and still running");
    assertThat(pidFile("fake")).content().contains("pid=" + pid);
    assertThat(LISTENING.matcher(Files.readString(second.logFile("fake"))).results().count())
        .as("the fake started once, so it was not launched again").isEqualTo(1);

    second.remove("fake").get(30, TimeUnit.SECONDS);

    assertThat(ProcessHandle.of(pid).filter(Child::isRunning)).as("removing stops the adopted process").isEmpty();
    assertThat(pidFile("fake")).doesNotExist();
  }

  @Test
  void ofTwoProcessesMarkedAsTheProgramTheOlderIsAdoptedAndTheOtherStopped() throws Exception {
    ProgramSpec loop = marked(loop("loop", dir), dir);
    ProcessHandle older = launchedThenPidFileLost(loop, dir.resolve("run"));
    Instant olderStarted = older.info().startInstant().orElseThrow();
    // start instants are told in clock ticks: let one pass, so the two differ
    await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(olderStarted.plusMillis(100)));
    ProcessHandle younger = launchedThenPidFileLost(loop, dir.resolve("run"));
    Supervisor supervisor = secondSupervisor();

    ProgramStatus adopted = supervisor.start(loop);

    assertThat(adopted.state()).isEqualTo(RUNNING);
    assertThat(adopted.pid()).isEqualTo(older.pid());
    assertThat(adopted.message()).isEqualTo("adopted: launched earlier, found by its command line and still running"
        + "; stopping its duplicate pid " + younger.pid());
    await().atMost(Duration.ofSeconds(30)).until(() -> !Child.isRunning(younger));
    assertThat(Child.isRunning(older)).isTrue();
    assertThat(pidFile("loop")).content().contains("pid=" + older.pid());
  }

  @Test
  void aProcessMarkedForAnotherDataDirectoryIsLeftAloneAndTheProgramLaunched() throws Exception {
    // the other directory's name starts with ours: markers are compared as whole arguments
    ProcessHandle stranger = launchedThenPidFileLost(marked(loop("loop", dir), dir.resolve("data2")),
        dir.resolve("their-run"));
    Supervisor supervisor = secondSupervisor();

    ProgramStatus status = supervisor.start(marked(loop("loop", dir), dir.resolve("data")));

    assertThat(status.state()).isEqualTo(STARTING);
    assertThat(status.pid()).isNotEqualTo(stranger.pid());
    awaitState(supervisor, "loop", RUNNING);
    assertThat(Child.isRunning(stranger)).as("another console's program is not ours to stop").isTrue();
  }

  /**
   * Launches the program as a supervisor does, then loses its pid file, as a console killed at that moment
   * would have.
   */
  private ProcessHandle launchedThenPidFileLost(ProgramSpec spec, Path runDir) throws Exception {
    Path logDir = Files.createDirectories(dir.resolve("logs"));
    ProcessLauncher launcher = new ProcessLauncher(new ProgramLogs(logDir, 0, 0),
        new PidFiles(Files.createDirectories(runDir)));
    ProcessHandle process = launcher.launch(spec).handle();
    supervisors.killAfterwards(process);
    Files.delete(runDir.resolve(spec.name() + ".pid"));
    return process;
  }

  private Path pidFile(String name) {
    return dir.resolve("run").resolve(name + ".pid");
  }

  /** Runs the program under a first supervisor until RUNNING, then closes that supervisor. */
  private long runThenClose(ProgramSpec spec) {
    Supervisor first = supervisors.open(dir.resolve("run"), dir.resolve("logs"), quickPolicy());
    first.start(spec);
    long pid = awaitState(first, spec.name(), RUNNING).pid();
    first.close();
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("closing leaves programs running").isPresent();
    return pid;
  }

  private Supervisor secondSupervisor() {
    Supervisor supervisor = supervisors.open(dir.resolve("run"), dir.resolve("logs"), quickPolicy());
    supervisor.addListener(listener);
    return supervisor;
  }
}
