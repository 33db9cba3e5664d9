package dev.ollamabridge.console.supervise;

import static dev.ollamabridge.console.supervise.ProcessState.EXITED;
import static dev.ollamabridge.console.supervise.ProcessState.RUNNING;
import static dev.ollamabridge.console.supervise.ProcessState.STARTING;
import static dev.ollamabridge.console.supervise.SupervisorTest.awaitState;
import static dev.ollamabridge.console.supervise.TestPrograms.fakeOllama;
import static dev.ollamabridge.console.supervise.TestPrograms.quickPolicy;
import static dev.ollamabridge.console.supervise.TestPrograms.shell;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A console that restarts finds the programs it launched still running, and takes them back. */
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
