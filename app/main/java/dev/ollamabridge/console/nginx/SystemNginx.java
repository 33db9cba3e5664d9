package dev.ollamabridge.console.nginx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A system nginx that includes our file in its {@code http {}}: the candidate is written in
 * place (the old file kept beside it), the system's whole configuration is tested with the
 * configured test command, and the configured reload command is run (argvs, no shell).
 */
public final class SystemNginx implements NginxTarget {

  private final List<String> testCommand;
  private final Path target;
  private final Path lastGood;
  private final List<String> reloadCommand;
  private boolean hadPrevious;

  public SystemNginx(List<String> testCommand, Path target, List<String> reloadCommand) {
    this.testCommand = List.copyOf(testCommand);
    this.target = target;
    this.lastGood = target.resolveSibling(target.getFileName() + ".last-good");
    this.reloadCommand = List.copyOf(reloadCommand);
  }

  @Override
  public void stage(String config) throws IOException {
    hadPrevious = Files.exists(target);
    if (hadPrevious) {
      AtomicFiles.copy(target, lastGood);
    }
    AtomicFiles.write(target, config);
  }

  @Override
  public Commands.Outcome test() {
    return Commands.run(testCommand);
  }

  @Override
  public void unstage() throws IOException {
    restoreLastGood();
  }

  @Override
  public void promote() {
    // already in place: the system nginx reads the file where it includes it
  }

  @Override
  public Commands.Outcome reload() {
    return Commands.run(reloadCommand);
  }

  @Override
  public void restoreLastGood() throws IOException {
    if (hadPrevious && Files.exists(lastGood)) {
      AtomicFiles.copy(lastGood, target);
    } else {
      Files.deleteIfExists(target);
    }
  }

  @Override
  public String current() throws IOException {
    return Files.exists(target) ? Files.readString(target) : null;
  }
}
