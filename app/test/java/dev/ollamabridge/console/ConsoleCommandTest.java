package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class ConsoleCommandTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "--listen nowhere | is not HOST:PORT",
      "--listen 127.0.0.1:70000 | outside 0-65535",
      "--nginx-mode apache | must be one of managed, system, off",
      "--nginx-listen 127.0.0.1 | must be HOST:PORT",
      "--nginx-test-command nginx;id | --nginx-test-command must be a command and its arguments",
      "--nginx-system-path etc/x.conf | --nginx-system-path must be an absolute path",
      "--cache-roots a;b | --cache-roots must be absolute paths",
      "--bridge-java java | --bridge-java must be auto or an absolute path",
      "--bridge-java /nonexistent/jdk/bin/java | --bridge-java must name an existing executable file",
      "--bridge-java /bin/sh | --bridge-java must name a java executable",
      "--no-such-option | Unknown option"})
  void aBadOptionIsOneLineThatSaysWhatToChangeAndExitCode2(String options, String message) {
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setErr(new PrintWriter(err));

    int code = commandLine.execute(("console " + options).split(" "));

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains(message);
    assertThat(err.toString().strip().lines()).hasSize(1);
  }
}
