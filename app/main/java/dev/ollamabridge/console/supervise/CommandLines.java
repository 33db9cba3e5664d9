package dev.ollamabridge.console.supervise;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the arguments another process was started with. Linux keeps them whole in
 * {@code /proc/<pid>/cmdline}, where {@link ProcessHandle.Info#arguments()} may come back empty (it does
 * for a bridge's long command line); elsewhere the JDK's view is all there is.
 */
final class CommandLines {

  private static final Path PROC = Path.of("/proc");
  private static final boolean HAS_PROC = Files.isDirectory(PROC.resolve("self"));
  /** The JVM encodes the arguments of the processes it starts in this charset; they are read back in it. */
  private static final Charset ARGUMENTS = charset(System.getProperty("sun.jnu.encoding"));

  private CommandLines() {}

  /** The argv, {@code argv[0]} first; empty when the process is gone or does not tell. */
  static Optional<List<String>> of(ProcessHandle process) {
    return HAS_PROC ? fromProc(process.pid()) : fromInfo(process.info());
  }

  private static Optional<List<String>> fromProc(long pid) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
    } catch (IOException e) {
      return Optional.empty(); // gone, or not ours to read
    }
    // a kernel thread or a zombie has none
    if (bytes.length == 0) {
      return Optional.empty();
    }
    List<String> argv = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= bytes.length; i++) {
      // each argument ends with a NUL; a process that rewrote its title may have left the last one open
      if (i == bytes.length ? start < i : bytes[i] == 0) {
        argv.add(new String(bytes, start, i - start, ARGUMENTS));
        start = i + 1;
      }
    }
    return Optional.of(argv);
  }

  private static Optional<List<String>> fromInfo(ProcessHandle.Info info) {
    if (info.command().isEmpty() || info.arguments().isEmpty()) {
      return Optional.empty();
    }
    List<String> argv = new ArrayList<>();
    argv.add(info.command().get());
    argv.addAll(List.of(info.arguments().get()));
    return Optional.of(argv);
  }

  private static Charset charset(String name) {
    try {
      return name == null ? Charset.defaultCharset() : Charset.forName(name);
    } catch (IllegalArgumentException e) {
      return Charset.defaultCharset();
    }
  }
}
