package dev.ollamabridge.console.keys;

import dev.ollamabridge.digest.Sha256;
import dev.ollamabridge.files.OwnerOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The console's own client key, with which it asks bridges what a client would (their models): made
 * once, kept in {@code <data>/keys/console-key} (owner-only), and published with the clients' keys as
 * {@code internal}, so that the bridges neither limit nor count it.
 */
public final class ConsoleKey {

  static final String FILE = "console-key";
  private static final Pattern SECRET = Pattern.compile("ob-[A-Za-z0-9_-]{43}");

  private final String secret;

  private ConsoleKey(String secret) {
    this.secret = secret;
  }

  /** The key kept in {@code dir}, made there first when there is none (or the file holds no key). */
  static ConsoleKey in(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    try {
      String kept = Files.readString(file).strip();
      if (SECRET.matcher(kept).matches()) {
        OwnerOnly.file(file, false);
        return new ConsoleKey(kept);
      }
    } catch (NoSuchFileException e) {
      // the first start: made below
    }
    String made = Secrets.newSecret();
    OwnerOnly.writeString(file, made + "\n");
    return new ConsoleKey(made);
  }

  /** What the console sends as {@code Authorization: Bearer …}. */
  public String secret() {
    return secret;
  }

  String sha256() {
    return Sha256.hex(secret);
  }

  @Override
  public String toString() {
    return "ConsoleKey[…]";
  }
}
