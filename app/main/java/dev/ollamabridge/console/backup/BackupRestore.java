package dev.ollamabridge.console.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.files.OwnerOnly;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Restores a backup into an empty data directory, whole or not at all: the manifest and every part's
 * size and SHA-256 are checked (and the secrets opened) before anything is written; then everything is
 * written into a staging directory beside the target, which is renamed onto it. Paths under the old
 * data directory in the database (cache dirs, TLS files) are moved to the new one.
 */
public final class BackupRestore {

  private static final int MAX_MANIFEST_BYTES = 1024 * 1024;
  private static final int MAX_ENTRIES = 256;
  private static final int MAX_SECRETS_BYTES = 16 * 1024 * 1024;

  private final ObjectMapper json;

  public BackupRestore(ObjectMapper json) {
    this.json = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  }

  /** What a restore did: the backup's manifest, and what the restored console lacks (secrets withheld). */
  public record Restored(BackupManifest manifest, Path dataDir, boolean secrets, List<String> lacking) {}

  /**
   * Restores {@code backup} into {@code dataDir}, which must be empty or not exist. {@code passphrase} is
   * asked only when the backup holds secrets; it may answer null, and the restore is refused then.
   *
   * @throws BackupRefused with a one-line reason; nothing was written
   */
  public Restored restore(Path backup, Path dataDir, Supplier<char[]> passphrase) {
    Path target = dataDir.toAbsolutePath().normalize();
    refuseNonEmpty(target);
    try (ZipFile zip = new ZipFile(backup.toFile())) {
      Map<String, ZipEntry> entries = entries(zip);
      BackupManifest manifest = manifest(zip, entries);
      for (BackupManifest.Part part : manifest.parts()) {
        verify(zip, entries.get(part.name()), part, null);
      }
      SecretsPayload secrets = null;
      if (manifest.secrets() != null) {
        char[] words = passphrase.get();
        if (words == null || words.length == 0) {
          throw new BackupRefused("the backup holds secrets: give its passphrase in OLLAMA_BRIDGE_BACKUP_PASSPHRASE");
        }
        byte[] sealed = read(zip, entries.get(BackupManifest.SECRETS), MAX_SECRETS_BYTES);
        byte[] open = SecretBox.open(sealed, manifest.secrets(), words, manifest.associatedData());
        secrets = secrets(open);
      }
      write(zip, entries, manifest, secrets, target);
      return new Restored(manifest, target, secrets != null, manifest.withheld() == null ? List.of() : manifest.withheld());
    } catch (ZipException e) {
      throw new BackupRefused(backup + " is not a backup (not a readable zip: " + e.getMessage() + ")");
    } catch (IOException e) {
      throw new BackupRefused("the backup " + backup + " could not be read: " + e.getMessage(), e);
    }
  }

  private static void refuseNonEmpty(Path target) {
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new BackupRefused(target + " is not a directory: restore into a new or empty directory");
    }
    try (Stream<Path> entries = Files.list(target)) {
      if (entries.findAny().isPresent()) {
        throw new BackupRefused("the data directory " + target + " is not empty: restore into a new or empty directory");
      }
    } catch (IOException e) {
      throw new BackupRefused("cannot read " + target + ": " + e.getMessage(), e);
    }
  }

  /** The zip's entries by name; a name twice, or too many entries, is refused. */
  private static Map<String, ZipEntry> entries(ZipFile zip) {
    Map<String, ZipEntry> entries = new HashMap<>();
    Enumeration<? extends ZipEntry> all = zip.entries();
    while (all.hasMoreElements()) {
      ZipEntry entry = all.nextElement();
      if (entries.size() >= MAX_ENTRIES) {
        throw new BackupRefused("the backup has more than " + MAX_ENTRIES + " entries: it is not one this console made");
      }
      if (entries.put(entry.getName(), entry) != null) {
        throw new BackupRefused("the backup holds the entry " + printable(entry.getName()) + " twice");
      }
    }
    return entries;
  }

  private BackupManifest manifest(ZipFile zip, Map<String, ZipEntry> entries) throws IOException {
    ZipEntry entry = entries.get(BackupManifest.ENTRY);
    if (entry == null) {
      throw new BackupRefused("the backup has no " + BackupManifest.ENTRY + ": it is not one this console made");
    }
    BackupManifest manifest;
    try {
      manifest = json.readValue(read(zip, entry, MAX_MANIFEST_BYTES), BackupManifest.class);
    } catch (JsonProcessingException e) {
      throw new BackupRefused("the backup's " + BackupManifest.ENTRY + " is not readable: " + e.getOriginalMessage());
    }
    if (manifest == null || manifest.parts() == null || manifest.dataDir() == null) {
      throw new BackupRefused("the backup's " + BackupManifest.ENTRY + " lacks its parts or its data directory");
    }
    if (manifest.format() < 1 || manifest.format() > BackupManifest.FORMAT) {
      throw new BackupRefused("the backup's format is " + manifest.format() + ", this console reads format "
          + BackupManifest.FORMAT + " (it was made by console " + printable(String.valueOf(manifest.consoleVersion()))
          + "): restore it with that console's version or newer");
    }
    Set<String> named = new HashSet<>();
    for (BackupManifest.Part part : manifest.parts()) {
      if (part == null || part.name() == null || part.sha256() == null || !named.add(part.name())) {
        throw new BackupRefused("the backup's manifest names a part twice or without its hash");
      }
      if (!allowed(part.name())) {
        throw new BackupRefused("the backup holds " + printable(part.name()) + ", which is no part of a console's backup");
      }
      if (!entries.containsKey(part.name())) {
        throw new BackupRefused("the backup lacks its part " + part.name());
      }
    }
    if (!named.contains(BackupManifest.DATABASE)) {
      throw new BackupRefused("the backup holds no database");
    }
    if (named.contains(BackupManifest.SECRETS) != (manifest.secrets() != null)) {
      throw new BackupRefused("the backup's manifest and its secrets part disagree");
    }
    for (String name : entries.keySet()) {
      if (!name.equals(BackupManifest.ENTRY) && !named.contains(name)) {
        throw new BackupRefused("the backup holds " + printable(name) + ", which its manifest does not name");
      }
    }
    return manifest;
  }

  private static boolean allowed(String name) {
    if (name.equals(BackupManifest.DATABASE) || name.equals(BackupManifest.SECRETS)) {
      return true;
    }
    return name.startsWith(BackupManifest.FILES)
        && BackupParts.PUBLIC_FILES.contains(name.substring(BackupManifest.FILES.length()));
  }

  /** Streams a part through SHA-256 (into {@code out} when given); its size and hash must be the manifest's. */
  private static void verify(ZipFile zip, ZipEntry entry, BackupManifest.Part part, Path out) throws IOException {
    MessageDigest digest = BackupWriter.digest();
    long copied;
    try (InputStream in = new DigestInputStream(new Bounded(zip.getInputStream(entry), part.bytes()), digest)) {
      if (out == null) {
        copied = in.transferTo(OutputStream.nullOutputStream());
      } else {
        try (OutputStream file = Files.newOutputStream(out)) {
          copied = in.transferTo(file);
        }
      }
    } catch (Bounded.TooLong e) {
      throw new BackupRefused("the backup's part " + part.name() + " is larger than its manifest says: it was changed");
    } catch (ZipException e) {
      throw new BackupRefused("the backup's part " + part.name() + " is damaged: " + e.getMessage());
    }
    String sha256 = HexFormat.of().formatHex(digest.digest());
    if (copied != part.bytes() || !sha256.equals(part.sha256())) {
      throw new BackupRefused("the backup's part " + part.name() + " is not what its manifest says (SHA-256 " + sha256
          + ", " + copied + " bytes): the backup was changed or damaged");
    }
  }

  private SecretsPayload secrets(byte[] open) {
    try {
      SecretsPayload payload = json.readValue(open, SecretsPayload.class);
      if (payload.instances() == null || payload.files() == null) {
        throw new BackupRefused("the backup's secrets lack their instances or files");
      }
      for (String name : payload.files().keySet()) {
        if (!BackupParts.isSecretFile(name)) {
          throw new BackupRefused("the backup's secrets hold " + printable(name) + ", which is no secret file of a console");
        }
        String base64 = payload.files().get(name);
        if (base64 == null || base64.length() > BackupParts.MAX_FILE_BYTES * 2) {
          throw new BackupRefused("the backup's secret file " + name + " is empty or too large");
        }
        Base64.getDecoder().decode(base64);
      }
      return payload;
    } catch (IOException | IllegalArgumentException e) {
      throw new BackupRefused("the backup's secrets are not readable: " + e.getMessage());
    }
  }

  private static void write(ZipFile zip, Map<String, ZipEntry> entries, BackupManifest manifest, SecretsPayload secrets,
      Path target) throws IOException {
    Path parent = target.getParent();
    if (!Files.isDirectory(parent)) {
      Files.createDirectories(parent, OwnerOnly.directoryAttributes());
    }
    Path staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".restoring-", OwnerOnly.directoryAttributes());
    try {
      for (BackupManifest.Part part : manifest.parts()) {
        if (part.name().equals(BackupManifest.SECRETS)) {
          continue;
        }
        String relative = part.name().equals(BackupManifest.DATABASE) ? part.name()
            : part.name().substring(BackupManifest.FILES.length());
        Path out = staging.resolve(relative);
        Files.createDirectories(out.getParent(), OwnerOnly.directoryAttributes());
        verify(zip, entries.get(part.name()), part, out); // again: the zip could have changed since the check
      }
      if (secrets != null) {
        for (Map.Entry<String, String> file : secrets.files().entrySet()) {
          Path out = staging.resolve(file.getKey());
          Files.createDirectories(out.getParent(), OwnerOnly.directoryAttributes());
          Files.write(out, Base64.getDecoder().decode(file.getValue()));
        }
      }
      adjustDatabase(staging.resolve(BackupManifest.DATABASE), manifest.dataDir(), target.toString(), secrets);
      OwnerOnly.tree(staging);
      // rename(2) replaces an empty directory: the target appears whole, or not at all
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      BackupWriter.deleteTree(staging);
      if (e instanceof BackupRefused refused) {
        throw refused;
      }
      throw new BackupRefused("the restore into " + target + " failed, nothing was written: " + e.getMessage(), e);
    }
  }

  /** Puts the secrets back (and the instances' enabled flag), and moves paths under the old data directory to the new. */
  private static void adjustDatabase(Path database, String oldData, String newData, SecretsPayload secrets) {
    try (Connection connection = BackupWriter.open(database)) {
      connection.setAutoCommit(false);
      if (secrets != null) {
        try (PreparedStatement update = connection.prepareStatement(
            "UPDATE instances SET upstream_api_key = ?, client_keys = ?, enabled = ? WHERE id = ? AND name = ?")) {
          for (SecretsPayload.InstanceSecrets each : secrets.instances()) {
            update.setString(1, each.upstreamApiKey());
            update.setString(2, each.clientKeys() == null ? "[]" : each.clientKeys());
            update.setBoolean(3, each.enabled());
            update.setLong(4, each.id());
            update.setString(5, each.name());
            update.addBatch();
          }
          update.executeBatch();
        }
      }
      if (!oldData.equals(newData)) {
        String from = oldData + "/";
        String to = newData + "/";
        try (PreparedStatement caches = connection.prepareStatement("UPDATE instances SET cache_dir = ? || substr(cache_dir, ?)"
            + " WHERE host = 'local' AND substr(cache_dir, 1, ?) = ?");
            PreparedStatement settings = connection.prepareStatement("UPDATE settings SET value = ? || substr(value, ?)"
                + " WHERE key IN ('nginx.tls_cert', 'nginx.tls_key') AND substr(value, 1, ?) = ?")) {
          for (PreparedStatement update : List.of(caches, settings)) {
            update.setString(1, to);
            update.setInt(2, from.length() + 1);
            update.setInt(3, from.length());
            update.setString(4, from);
            update.executeUpdate();
          }
        }
      }
      connection.commit();
    } catch (SQLException e) {
      throw new BackupRefused("the restored database could not be prepared: " + e.getMessage(), e);
    }
  }

  private static byte[] read(ZipFile zip, ZipEntry entry, int max) throws IOException {
    try (InputStream in = new Bounded(zip.getInputStream(entry), max)) {
      return in.readAllBytes();
    } catch (Bounded.TooLong e) {
      throw new BackupRefused("the backup's " + entry.getName() + " is larger than " + max + " bytes");
    }
  }

  private static String printable(String name) {
    String shown = name.length() > 80 ? name.substring(0, 80) + "…" : name;
    return "'" + shown.replaceAll("[^\\x20-\\x7E]", "?") + "'";
  }

  /** An input that refuses to give more than its bound: a part longer than its manifest says is not read whole. */
  private static final class Bounded extends java.io.FilterInputStream {
    private long left;

    Bounded(InputStream in, long bound) {
      super(in);
      this.left = bound;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0 && --left < 0) {
        throw new TooLong();
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        left -= n;
        if (left < 0) {
          throw new TooLong();
        }
      }
      return n;
    }

    static final class TooLong extends IOException {
      TooLong() {
        super("longer than its bound", null);
      }
    }
  }
}
