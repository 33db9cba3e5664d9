package dev.ollamabridge.console.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.cli.Version;
import dev.ollamabridge.files.OwnerOnly;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a console's backup: one zip of {@value BackupManifest#ENTRY}, the database and the files the
 * cluster needs (see {@link BackupParts}). The database is copied with SQLite's {@code VACUUM INTO},
 * a consistent snapshot taken beside a running console (a read transaction, no lock on the data
 * directory), then its secrets (upstream keys, instances' client keys) are taken out of the copy, which
 * is vacuumed again so that no freed page keeps them. Given a passphrase, those secrets and the secret
 * files go into a sealed part ({@link SecretBox}); without one they stay out and the manifest says so.
 * The zip is written to a temporary file beside the target, owner-only, synced, then moved over it.
 */
public final class BackupWriter {

  private final ObjectMapper json;
  private final Clock clock;

  public BackupWriter(ObjectMapper json, Clock clock) {
    this.json = json;
    this.clock = clock;
  }

  /**
   * Backs up the console of {@code dataDir} into {@code target}; with secrets when {@code passphrase} is
   * not null. {@link BackupRefused} when there is no console database there.
   */
  public BackupManifest write(Path dataDir, Path target, char[] passphrase) {
    Path data = dataDir.toAbsolutePath().normalize();
    Path database = data.resolve(BackupManifest.DATABASE);
    if (!Files.isRegularFile(database, LinkOption.NOFOLLOW_LINKS)) {
      throw new BackupRefused("there is no console database in " + data + ": give --data-dir the console's data directory");
    }
    Path out = target.toAbsolutePath().normalize();
    try {
      Files.createDirectories(out.getParent());
      Path work = Files.createTempDirectory(out.getParent(), ".backup-", OwnerOnly.directoryAttributes());
      try {
        return write(data, database, out, work, passphrase);
      } finally {
        deleteTree(work);
      }
    } catch (IOException e) {
      throw new BackupRefused("the backup could not be written to " + out + ": " + e.getMessage(), e);
    } catch (SQLException e) {
      throw new BackupRefused("the database " + database + " could not be copied: " + e.getMessage(), e);
    }
  }

  private BackupManifest write(Path data, Path database, Path out, Path work, char[] passphrase)
      throws IOException, SQLException {
    Path copy = work.resolve(BackupManifest.DATABASE);
    try (Connection source = open(database); PreparedStatement vacuum = source.prepareStatement("VACUUM INTO ?")) {
      vacuum.setString(1, copy.toString());
      vacuum.execute();
    }
    List<SecretsPayload.InstanceSecrets> instanceSecrets = takeSecretsOut(copy);
    OwnerOnly.file(copy, false);

    List<BackupManifest.Part> parts = new ArrayList<>();
    parts.add(new BackupManifest.Part(BackupManifest.DATABASE, Files.size(copy), sha256(copy)));
    Map<String, byte[]> publicFiles = new LinkedHashMap<>();
    for (String name : BackupParts.PUBLIC_FILES) {
      byte[] bytes = readIfThere(data, name);
      if (bytes != null) {
        publicFiles.put(name, bytes);
        parts.add(new BackupManifest.Part(BackupManifest.FILES + name, bytes.length, sha256(bytes)));
      }
    }
    Map<String, byte[]> secretFiles = secretFiles(data);
    List<String> withheld = new ArrayList<>();
    byte[] sealed = null;
    if (passphrase == null) {
      instanceSecrets.forEach(each -> withheld.add("instance " + each.name() + ": " + words(each)
          + (each.enabled() ? " (restored disabled)" : "")));
      secretFiles.keySet().forEach(name -> withheld.add("file " + name));
    }
    String createdAt = clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
    BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT, Version.current(), createdAt, data.toString(),
        List.copyOf(parts), null, List.copyOf(withheld));
    if (passphrase != null) {
      Map<String, String> files = new LinkedHashMap<>();
      secretFiles.forEach((name, bytes) -> files.put(name, Base64.getEncoder().encodeToString(bytes)));
      SecretBox.Sealed box = SecretBox.seal(json.writeValueAsBytes(new SecretsPayload(instanceSecrets, files)), passphrase,
          manifest.associatedData());
      sealed = box.bytes();
      parts.add(new BackupManifest.Part(BackupManifest.SECRETS, sealed.length, sha256(sealed)));
      manifest = new BackupManifest(manifest.format(), manifest.consoleVersion(), createdAt, manifest.dataDir(),
          List.copyOf(parts), box.encryption(), List.of());
    }

    Path temp = Files.createTempFile(out.getParent(), "." + out.getFileName(), ".tmp", OwnerOnly.fileAttributes());
    try {
      try (OutputStream file = Files.newOutputStream(temp); ZipOutputStream zip = new ZipOutputStream(file)) {
        entry(zip, BackupManifest.ENTRY, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        zip.putNextEntry(new ZipEntry(BackupManifest.DATABASE));
        Files.copy(copy, zip);
        zip.closeEntry();
        for (Map.Entry<String, byte[]> each : publicFiles.entrySet()) {
          entry(zip, BackupManifest.FILES + each.getKey(), each.getValue());
        }
        if (sealed != null) {
          entry(zip, BackupManifest.SECRETS, sealed);
        }
      }
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      try {
        Files.move(temp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, out, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    return manifest;
  }

  /**
   * Takes the instances' secrets out of the copy and disables the instances that had any (a bridge
   * without its client keys would serve anyone); answers them, to be sealed or withheld. Secure delete
   * and a vacuum leave no page holding them.
   */
  private static List<SecretsPayload.InstanceSecrets> takeSecretsOut(Path copy) throws SQLException {
    List<SecretsPayload.InstanceSecrets> secrets = new ArrayList<>();
    try (Connection connection = open(copy); Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA journal_mode = DELETE");
      statement.execute("PRAGMA secure_delete = ON");
      try (ResultSet rows = statement.executeQuery("SELECT id, name, upstream_api_key, client_keys, enabled FROM instances"
          + " WHERE upstream_api_key IS NOT NULL OR client_keys != '[]' ORDER BY id")) {
        while (rows.next()) {
          secrets.add(new SecretsPayload.InstanceSecrets(rows.getLong(1), rows.getString(2), rows.getString(3),
              rows.getString(4), rows.getBoolean(5)));
        }
      }
      statement.executeUpdate("UPDATE instances SET upstream_api_key = NULL, client_keys = '[]', enabled = 0"
          + " WHERE upstream_api_key IS NOT NULL OR client_keys != '[]'");
      statement.execute("VACUUM");
    }
    return secrets;
  }

  private static String words(SecretsPayload.InstanceSecrets secrets) {
    List<String> fields = new ArrayList<>();
    if (secrets.upstreamApiKey() != null) {
      fields.add("upstream_api_key");
    }
    if (!"[]".equals(secrets.clientKeys())) {
      fields.add("client_keys");
    }
    return String.join(", ", fields);
  }

  /** The secret files there are, by their path in the data directory. */
  private static Map<String, byte[]> secretFiles(Path data) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String name : BackupParts.SECRET_FILES) {
      byte[] bytes = readIfThere(data, name);
      if (bytes != null) {
        files.put(name, bytes);
      }
    }
    Path tls = data.resolve(BackupParts.TLS_DIR);
    if (Files.isDirectory(tls, LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> entries = Files.list(tls)) {
        List<String> names = entries.map(path -> BackupParts.TLS_DIR + "/" + path.getFileName())
            .filter(name -> BackupParts.TLS_FILE.matcher(name).matches())
            .sorted(Comparator.naturalOrder()).limit(BackupParts.MAX_TLS_FILES).toList();
        for (String name : names) {
          byte[] bytes = readIfThere(data, name);
          if (bytes != null) {
            files.put(name, bytes);
          }
        }
      }
    }
    return files;
  }

  /** A regular file's bytes (a link to one is followed: TLS files often are links), or null when there is none. */
  private static byte[] readIfThere(Path data, String name) throws IOException {
    Path file = data.resolve(name);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    if (Files.size(file) > BackupParts.MAX_FILE_BYTES) {
      throw new IOException(file + " is larger than " + BackupParts.MAX_FILE_BYTES + " bytes: not a file the console keeps");
    }
    return Files.readAllBytes(file);
  }

  static Connection open(Path database) throws SQLException {
    Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
    try (Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA busy_timeout = 10000");
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  private static void entry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(bytes);
    zip.closeEntry();
  }

  static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest = digest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove " + root + ": " + e.getMessage(), e);
    }
  }
}
