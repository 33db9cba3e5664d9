package dev.ollamabridge.console.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.files.OwnerOnly;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup file as a hostile hand may shape it: every change is refused before anything is written,
 * a sealed backup's manifest included (it is the cipher's associated data), and only the console's own
 * parts are ever written, where they belong, owner-only.
 */
class BackupFileTest {

  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final char[] PASSPHRASE = "a passphrase of some length".toCharArray();

  @TempDir Path dir;
  private Path data;
  private Path target;

  @BeforeEach
  void aConsoleDataDirectory() throws IOException {
    data = dir.resolve("data");
    target = dir.resolve("restored");
    OwnerOnly.directory(data);
    Database.open(data.resolve("console.db")).close();
    OwnerOnly.directory(data.resolve("pki"));
    Files.writeString(data.resolve("pki/ca.crt"), "the CA's certificate\n");
    Files.writeString(data.resolve("pki/ca.key"), "the CA's key\n");
    OwnerOnly.directory(data.resolve("tls"));
    Files.writeString(data.resolve("tls/nginx.key"), "nginx's TLS key\n");
  }

  @Test
  void aSealedBackupRestoresTheSecretFilesOwnerOnlyAndTheCertificateBesideThem() throws IOException {
    Path backup = write(PASSPHRASE);

    BackupRestore.Restored restored = restore(backup);

    assertThat(restored.secrets()).isTrue();
    assertThat(Files.readString(target.resolve("pki/ca.crt"))).isEqualTo("the CA's certificate\n");
    assertThat(Files.readString(target.resolve("pki/ca.key"))).isEqualTo("the CA's key\n");
    assertThat(Files.readString(target.resolve("tls/nginx.key"))).isEqualTo("nginx's TLS key\n");
    for (String file : new String[] {"console.db", "pki/ca.key", "tls/nginx.key"}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve(file)))).as(file)
          .isEqualTo("rw-------");
    }
    assertThat(new String(Files.readAllBytes(backup), java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain("the CA's key", "nginx's TLS key");
  }

  @Test
  void withoutAPassphraseTheSecretFilesAreLeftOutAndNamed() throws IOException {
    BackupRestore.Restored restored = restore(write(null));

    assertThat(restored.secrets()).isFalse();
    assertThat(restored.lacking()).containsExactly("file pki/ca.key", "file tls/nginx.key");
    assertThat(target.resolve("pki/ca.crt")).exists();
    assertThat(target.resolve("pki/ca.key")).doesNotExist();
  }

  @Test
  void aSealedBackupWhoseManifestWasChangedToMatchAChangedDatabaseIsRefused() throws IOException {
    Path backup = write(PASSPHRASE);
    Map<String, byte[]> entries = read(backup);
    byte[] database = entries.get("console.db");
    database[database.length - 1] ^= 1;
    entries.put("manifest.json", manifest(entries, parts -> {
      ObjectNode part = (ObjectNode) parts.get(0);
      part.put("sha256", BackupWriter.sha256(database));
    }));

    assertRefused(rewrite(backup, entries), "the passphrase is wrong, or the backup was changed");
  }

  @Test
  void anEntryTheManifestDoesNotNameOrAPartNoConsoleWritesIsRefused() throws IOException {
    Path backup = write(null);
    Map<String, byte[]> extra = read(backup);
    extra.put("files/../../escape", new byte[] {1});
    assertRefused(rewrite(backup, extra), "which its manifest does not name");

    Map<String, byte[]> named = read(backup);
    named.put("files/pki/ca.key", "a key in clear".getBytes());
    named.put("manifest.json", manifest(named, parts -> parts.addObject().put("name", "files/pki/ca.key").put("bytes", 14)
        .put("sha256", BackupWriter.sha256("a key in clear".getBytes()))));
    assertRefused(rewrite(backup, named), "'files/pki/ca.key', which is no part of a console's backup");
  }

  @Test
  void aBackupOfANewerFormatOrWithoutItsManifestIsRefused() throws IOException {
    Path backup = write(null);
    Map<String, byte[]> newer = read(backup);
    ObjectNode manifest = (ObjectNode) JSON.readTree(newer.get("manifest.json"));
    manifest.put("format", 2);
    newer.put("manifest.json", JSON.writeValueAsBytes(manifest));
    assertRefused(rewrite(backup, newer), "the backup's format is 2, this console reads format 1");

    Map<String, byte[]> bare = read(backup);
    bare.remove("manifest.json");
    assertRefused(rewrite(backup, bare), "the backup has no manifest.json");
  }

  private Path write(char[] passphrase) {
    Path backup = dir.resolve("backup-" + (passphrase != null) + ".zip");
    new BackupWriter(JSON, Clock.systemUTC()).write(data, backup, passphrase);
    return backup;
  }

  private BackupRestore.Restored restore(Path backup) {
    return new BackupRestore(JSON).restore(backup, target, () -> PASSPHRASE.clone());
  }

  private void assertRefused(Path backup, String reason) {
    assertThatThrownBy(() -> restore(backup)).isInstanceOf(BackupRefused.class).hasMessageContaining(reason);
    assertThat(target).as("nothing was written").doesNotExist();
  }

  private static byte[] manifest(Map<String, byte[]> entries, Consumer<ArrayNode> change) throws IOException {
    ObjectNode manifest = (ObjectNode) JSON.readTree(entries.get("manifest.json"));
    change.accept((ArrayNode) manifest.get("parts"));
    return JSON.writeValueAsBytes(manifest);
  }

  private static Map<String, byte[]> read(Path zip) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipFile file = new ZipFile(zip.toFile())) {
      for (Enumeration<? extends ZipEntry> all = file.entries(); all.hasMoreElements(); ) {
        ZipEntry entry = all.nextElement();
        try (InputStream in = file.getInputStream(entry)) {
          entries.put(entry.getName(), in.readAllBytes());
        }
      }
    }
    return entries;
  }

  private Path rewrite(Path original, Map<String, byte[]> entries) throws IOException {
    Path changed = dir.resolve("changed-" + original.getFileName());
    try (OutputStream file = Files.newOutputStream(changed); ZipOutputStream zip = new ZipOutputStream(file)) {
      for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(entry.getKey()));
        zip.write(entry.getValue());
        zip.closeEntry();
      }
    }
    return changed;
  }
}
