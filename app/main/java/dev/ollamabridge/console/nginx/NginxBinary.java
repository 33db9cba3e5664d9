package dev.ollamabridge.console.nginx;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the nginx executable: on the PATH, or where Debian puts it. */
public final class NginxBinary {

  private static final Pattern VERSION = Pattern.compile("nginx/([0-9][0-9A-Za-z.]{0,31})");

  private NginxBinary() {}

  /** The version {@code nginx -v} tells, e.g. {@code 1.22.1}; empty when it tells none. */
  public static Optional<String> version(String binary) {
    Matcher matcher = VERSION.matcher(Commands.run(List.of(binary, "-v")).output());
    return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  public static Optional<String> find() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : (path + File.pathSeparator + "/usr/sbin" + File.pathSeparator + "/usr/local/sbin").split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, "nginx");
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate.toString());
        }
      }
    }
    return Optional.empty();
  }
}
