package dev.ollamabridge;

import dev.ollamabridge.agent.AgentCommand;
import dev.ollamabridge.bridge.BridgeCommand;
import dev.ollamabridge.cli.OneLineErrors;
import dev.ollamabridge.cli.Version;
import dev.ollamabridge.console.ConsoleCommand;
import dev.ollamabridge.console.RenderCommand;
import dev.ollamabridge.fake.FakeOllamaCommand;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one jar's entry point: picks the role from the first argument. */
@Command(
    name = "ollama-bridge",
    mixinStandardHelpOptions = true,
    versionProvider = Version.Provider.class,
    description = "Run LLM backends behind nginx: a caching, translating bridge and its tools.")
public final class Main {

  /** The roles, by the name that picks them, in the order the help lists them. */
  private static final Map<String, Supplier<Object>> ROLES = new LinkedHashMap<>();

  static {
    ROLES.put("bridge", BridgeCommand::new);
    ROLES.put("console", ConsoleCommand::new);
    ROLES.put("render", RenderCommand::new);
    ROLES.put("agent", AgentCommand::new);
    ROLES.put("fake-ollama", FakeOllamaCommand::new);
  }

  public static void main(String[] args) {
    int code = commandLine(args).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** The command line with every role; tests use it to check parsing and exit codes. */
  public static CommandLine commandLine() {
    return commandLine(new String[0]);
  }

  /**
   * The command line for these arguments: when they name a role, with that role alone. Picocli reads
   * each command's options when it is added, and a bridge starts sooner without the console's.
   */
  static CommandLine commandLine(String[] args) {
    CommandLine commandLine = new CommandLine(new Main());
    Supplier<Object> role = args.length > 0 ? ROLES.get(args[0]) : null;
    if (role != null) {
      commandLine.addSubcommand(role.get());
    } else {
      ROLES.values().forEach(each -> commandLine.addSubcommand(each.get()));
    }
    // after the roles: picocli hands these settings to the subcommands there are when they are set
    return commandLine
        .setParameterExceptionHandler(new OneLineErrors())
        .setCaseInsensitiveEnumValuesAllowed(true);
  }
}
