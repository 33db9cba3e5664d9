package dev.ollamabridge.cli;

import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;

/**
 * Reports a bad command line in one line that says what to change, and exits with code 2,
 * instead of picocli's default of the error followed by the whole usage text.
 */
public final class OneLineErrors implements IParameterExceptionHandler {

  public static final int EXIT_USAGE = 2;

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    cmd.getErr()
        .printf(
            "%s: %s (see '%s --help')%n",
            cmd.getCommandSpec().qualifiedName(), e.getMessage(), cmd.getCommandSpec().qualifiedName());
    cmd.getErr().flush();
    return EXIT_USAGE;
  }
}
