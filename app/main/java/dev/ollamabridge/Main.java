package dev.ollamabridge;

import dev.ollamabridge.bridge.BridgeCommand;
import dev.ollamabridge.cli.OneLineErrors;
import dev.ollamabridge.cli.Version;
import dev.ollamabridge.console.ConsoleCommand;
import dev.ollamabridge.console.RenderCommand;
import dev.ollamabridge.fake.FakeOllamaCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one jar's entry point: picks the role from the first argument. */
@Command(
    name = "ollama-bridge",
    mixinStandardHelpOptions = true,
    versionProvider = Version.Provider.class,
    description = "Run LLM backends behind nginx: a caching, translating bridge and its tools.",
    subcommands = {BridgeCommand.class, ConsoleCommand.class, RenderCommand.class, FakeOllamaCommand.class})
public final class Main {

  public static void main(String[] args) {
    int code = commandLine().execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** The command line as the jar runs it; tests use it to check parsing and exit codes. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setParameterExceptionHandler(new OneLineErrors())
        .setCaseInsensitiveEnumValuesAllowed(true);
  }
}
