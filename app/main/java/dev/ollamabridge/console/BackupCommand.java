package dev.ollamabridge.console;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ollamabridge.console.backup.BackupManifest;
import dev.ollamabridge.console.backup.BackupRefused;
import dev.ollamabridge.console.backup.BackupWriter;
import dev.ollamabridge.console.backup.Passphrases;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ollama-bridge console backup}: one file with the console's database and the files the cluster
 * needs, taken beside a running console (it needs no lock on the data directory) or a stopped one.
 */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = "Write a backup of the console (its database, taken consistently while it runs, and its CA's"
        + " certificate) to one file. Secrets (upstream keys, instances' client keys, the CA's key) only with"
        + " --include-secrets, sealed with a passphrase from " + Passphrases.VARIABLE + " or the terminal.")
final class BackupCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--to", required = true, paramLabel = "FILE", description = "The backup file to write (replaced whole).")
  Path to;

  @Option(names = {"--data-dir", "--data"}, defaultValue = "./data", paramLabel = "DIR",
      description = "The console's data directory (default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--include-secrets", description = "Also the secrets, encrypted (AES-256-GCM) with a passphrase.")
  boolean includeSecrets;

  /** The environment the passphrase is read from; tests give their own. */
  Map<String, String> environment = System.getenv();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    char[] passphrase = null;
    try {
      passphrase = includeSecrets ? Passphrases.forBackup(environment, System.console()) : null;
      BackupManifest manifest = new BackupWriter(JsonMapper.builder().build(), Clock.systemUTC()).write(data, to, passphrase);
      out.println("Backup written to " + to.toAbsolutePath().normalize() + ": " + manifest.parts().size() + " parts, "
          + (manifest.secrets() != null ? "with its secrets (sealed)" : "without secrets"));
      for (String lacking : manifest.withheld()) {
        out.println("  not in it: " + lacking);
      }
      out.flush();
      return 0;
    } catch (BackupRefused e) {
      err.println("backup: " + e.getMessage());
      err.flush();
      return 1;
    } finally {
      if (passphrase != null) {
        Arrays.fill(passphrase, '\0');
      }
    }
  }
}
