package dev.ollamabridge.testing;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills what a test's consoles left running. A console leaves its bridges and its nginx running when
 * it closes, by design (the next start adopts them), so a test that ends early, or ends without
 * removing its instances, would leave them behind for the rest of the suite. After each test, every
 * process named by a pid file in its {@code @TempDir} directories ({@code run/*.pid}, the supervisor's,
 * and {@code nginx/nginx.pid}) is killed with its children; a static directory is cleared after its
 * class. Registered for every test class through {@code META-INF/services}.
 */
public final class LeftoverProcesses implements AfterEachCallback, AfterAllCallback {

  @Override
  public void afterEach(ExtensionContext context) {
    context.getTestInstance().ifPresent(instance -> directories(instance.getClass(), instance, false).forEach(LeftoverProcesses::kill));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    context.getTestClass().ifPresent(type -> directories(type, null, true).forEach(LeftoverProcesses::kill));
  }

  /**
   * Kills the processes named by the pid files under {@code data} ({@code run/*.pid}, also one level
   * down, where a test keeps its agents' data directories: {@code <data>/h1/run/b1.pid}), and their children.
   */
  public static void kill(Path data) {
    List<Path> pidFiles = new ArrayList<>();
    try (Stream<Path> files = Files.isDirectory(data) ? Files.walk(data, 3) : Stream.empty()) {
      files.filter(file -> file.toString().endsWith(".pid") && file.getParent().getFileName().toString().equals("run"))
          .forEach(pidFiles::add);
    } catch (IOException | java.io.UncheckedIOException e) {
      // gone already, or going while this walks
    }
    pidFiles.add(data.resolve("nginx/nginx.pid"));
    for (Path file : pidFiles) {
      process(file).ifPresent(LeftoverProcesses::killWithChildren);
    }
  }

  /** The live process a pid file names, if its start time (when the file has one) is that process's. */
  private static Optional<ProcessHandle> process(Path pidFile) {
    try {
      String text = Files.readString(pidFile, StandardCharsets.UTF_8);
      String pid = text.lines().filter(line -> line.startsWith("pid=")).map(line -> line.substring(4)).findFirst()
          .orElse(text.strip());
      Optional<Instant> started = text.lines().filter(line -> line.startsWith("started=") && line.length() > 8)
          .map(line -> Instant.parse(line.substring(8))).findFirst();
      return ProcessHandle.of(Long.parseLong(pid.strip())).filter(ProcessHandle::isAlive)
          .filter(process -> started.isEmpty() || started.equals(process.info().startInstant()));
    } catch (IOException | RuntimeException unreadable) {
      return Optional.empty();
    }
  }

  private static void killWithChildren(ProcessHandle process) {
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(0, process);
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle one : all) {
      try {
        one.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // a zombie or an unkillable process: nothing more a test can do
      }
    }
  }

  private static List<Path> directories(Class<?> type, Object instance, boolean statics) {
    List<Path> directories = new ArrayList<>();
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        if (field.isAnnotationPresent(TempDir.class) && field.getType() == Path.class
            && Modifier.isStatic(field.getModifiers()) == statics) {
          try {
            field.setAccessible(true);
            Object value = field.get(instance);
            if (value != null) {
              directories.add((Path) value);
            }
          } catch (ReflectiveOperationException | RuntimeException e) {
            // not readable: nothing to clear
          }
        }
      }
    }
    return directories;
  }
}
