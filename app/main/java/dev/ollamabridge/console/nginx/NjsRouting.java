package dev.ollamabridge.console.nginx;

import dev.ollamabridge.console.files.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nginx's JavaScript module (njs), which model-aware routing needs: where this nginx has it, and
 * the routing script the console writes beside nginx.conf. Without it nginx still balances, by
 * load only, and the console says so.
 */
public final class NjsRouting {

  static final String MODULE = "ngx_http_js_module.so";
  private static final String SCRIPT = "router.js";
  private static final Pattern MODULES_PATH = Pattern.compile("--modules-path=(\\S+)");
  /** Where Debian, Fedora and nginx.org's packages put nginx's modules. */
  private static final List<String> USUAL_DIRS = List.of("/usr/lib/nginx/modules", "/usr/lib64/nginx/modules",
      "/etc/nginx/modules", "/usr/local/nginx/modules");
  private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9._/+-]{1,1023}");

  private NjsRouting() {}

  /** For nginx.mode {@code mode}: a system nginx loads its modules itself, a whole config loads njs. */
  public static Optional<Snapshot.Njs> forMode(String mode, Path prefix) {
    return mode.equals("system") ? forSystemNginx(Path.of("/etc/nginx/modules-enabled"), prefix)
        : forWholeConfig(NginxBinary.find(), prefix);
  }

  /**
   * For a whole nginx.conf (managed nginx, or rendering only): the module in nginx's modules
   * directory ({@code nginx -V} names it), loaded by the config itself; empty when there is none.
   */
  public static Optional<Snapshot.Njs> forWholeConfig(Optional<String> nginxBinary, Path prefix) {
    List<String> dirs = new ArrayList<>();
    nginxBinary.ifPresent(binary -> {
      Matcher path = MODULES_PATH.matcher(Commands.run(List.of(binary, "-V")).output());
      if (path.find()) {
        dirs.add(path.group(1));
      }
    });
    dirs.addAll(USUAL_DIRS);
    for (String dir : dirs) {
      Path module = Path.of(dir, MODULE);
      if (Files.isRegularFile(module) && SAFE_PATH.matcher(module.toString()).matches()) {
        return Optional.of(new Snapshot.Njs(module.toString(), prefix.resolve(SCRIPT)));
      }
    }
    return Optional.empty();
  }

  /**
   * For a system nginx, whose main config loads its modules: routing is on when a file of
   * {@code modules-enabled} loads njs, as Debian's libnginx-mod-http-js installs it.
   */
  public static Optional<Snapshot.Njs> forSystemNginx(Path modulesEnabled, Path prefix) {
    try (var files = Files.list(modulesEnabled)) {
      boolean loaded = files.filter(file -> file.toString().endsWith(".conf")).anyMatch(NjsRouting::loadsNjs);
      return loaded ? Optional.of(new Snapshot.Njs(null, prefix.resolve(SCRIPT))) : Optional.empty();
    } catch (IOException noSuchDirectory) {
      return Optional.empty();
    }
  }

  private static boolean loadsNjs(Path conf) {
    try {
      return Files.readString(conf).contains(MODULE);
    } catch (IOException e) {
      return false;
    }
  }

  /** Writes the routing script the config imports, from this program's own copy. */
  public static void writeScript(Path prefix) {
    try (InputStream in = NjsRouting.class.getResourceAsStream("/console/" + SCRIPT)) {
      AtomicFiles.write(prefix.resolve(SCRIPT), new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + prefix.resolve(SCRIPT) + ": " + e.getMessage(), e);
    }
  }
}
