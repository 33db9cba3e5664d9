package dev.ollamabridge.console;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ollamabridge.console.backup.BackupRefused;
import dev.ollamabridge.console.backup.BackupRestore;
import dev.ollamabridge.console.backup.Passphrases;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ollama-bridge console restore}: a backup into a new or empty data directory, whole or not at all. */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = "Restore a backup into a new or empty data directory; a console started on it is the console that"
        + " was backed up. Every part is checked before anything is written. A backup with secrets needs its"
        + " passphrase, from " + Passphrases.VARIABLE + " or the terminal.")
final class RestoreCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--from", required = true, paramLabel = "FILE", description = "The backup file.")
  Path from;

  @Option(names = {"--data-dir", "--data"}, required = true, paramLabel = "DIR",
      description = "The data directory to restore into: new or empty.")
  Path data;

  /** The environment the passphrase is read from; tests give their own. */
  Map<String, String> environment = System.getenv();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      BackupRestore.Restored restored = new BackupRestore(JsonMapper.builder().build())
          .restore(from, data, () -> Passphrases.forRestore(environment, System.console()));
      out.println("Restored the backup of " + restored.manifest().createdAt() + " (console "
          + restored.manifest().consoleVersion() + ") into " + restored.dataDir() + ", "
          + (restored.secrets() ? "with its secrets" : "without secrets") + ". Start the console with --data "
          + restored.dataDir() + ".");
      for (String lacking : restored.lacking()) {
        out.println("  not restored: " + lacking);
      }
      if (!restored.secrets() && restored.lacking().stream().anyMatch(l -> l.equals("file pki/ca.key"))) {
        out.println("  Without the CA's key the console cannot prove itself to the hosts that joined it, nor let new"
            + " ones join: with --agent-listen it refuses to start until pki/ca.key is back, or pki/ca.crt is removed"
            + " (a new CA: every host joins again).");
      }
      out.flush();
      return 0;
    } catch (BackupRefused e) {
      err.println("restore: " + e.getMessage());
      err.flush();
      return 1;
    }
  }
}
