package dev.ollamabridge.console.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.files.OwnerOnly;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminAccountTest {

  private static final Pattern PRINTED = Pattern.compile(
      "Admin password for the web console \\(shown once; also in (.+)\\): (\\S+)\\R");

  @TempDir Path data;
  private Database database;
  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);

  @BeforeEach
  void openDatabase() {
    database = Database.open(data.resolve("console.db"));
  }

  @AfterEach
  void closeDatabase() {
    database.close();
  }

  @Test
  void theFirstStartTakesThePasswordFromTheEnvironmentAndWritesNoFile() {
    AdminAccount account = new AdminAccount(database, data);

    AdminAccount.Setup setup = account.ensure(Map.of("OLLAMA_BRIDGE_ADMIN_PASSWORD", "correct horse battery"), out);

    assertThat(setup.source()).isEqualTo(AdminAccount.Source.ENVIRONMENT);
    assertThat(setup.passwordFile()).isNull();
    assertThat(account.verify("admin", "correct horse battery")).isTrue();
    assertThat(data.resolve("admin-password")).doesNotExist();
    assertThat(printed()).isEmpty();
  }

  @Test
  void aTooShortPasswordInTheEnvironmentStopsTheStartNamingTheVariableAndTheRule() {
    AdminAccount account = new AdminAccount(database, data);

    assertThatThrownBy(() -> account.ensure(Map.of("OLLAMA_BRIDGE_ADMIN_PASSWORD", "hunter2"), out))
        .isInstanceOfSatisfying(AdminAccount.PasswordRefused.class,
            e -> assertThat(e.field()).isEqualTo("OLLAMA_BRIDGE_ADMIN_PASSWORD"))
        .hasMessageContaining("OLLAMA_BRIDGE_ADMIN_PASSWORD")
        .hasMessageContaining("12 to 128 characters");
    assertThat(account.verify("admin", "hunter2")).isFalse();
  }

  @Test
  void theFirstStartWithoutAPasswordGeneratesOnePrintsItOnceAndWritesItOwnerOnly() throws Exception {
    AdminAccount account = new AdminAccount(database, data);

    AdminAccount.Setup setup = account.ensure(Map.of("OLLAMA_BRIDGE_ADMIN_PASSWORD", ""), out);

    Path file = data.resolve("admin-password");
    assertThat(setup.source()).isEqualTo(AdminAccount.Source.GENERATED);
    assertThat(setup.passwordFile()).isEqualTo(file);
    Matcher printed = PRINTED.matcher(printed());
    assertThat(printed.matches()).as("printed: %s", printed()).isTrue();
    assertThat(printed.group(1)).isEqualTo(file.toString());
    String password = printed.group(2);
    assertThat(password).hasSize(20).matches("[a-z2-9]+").doesNotContain("0", "1", "o", "l", "i");
    assertThat(Files.readString(file)).isEqualTo(password + "\n");
    if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
      assertThat(Files.getPosixFilePermissions(file)).isEqualTo(OwnerOnly.FILE);
    }
    assertThat(account.verify("admin", password)).isTrue();
    try (var files = Files.list(data)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".tmp"));
    }
  }

  @Test
  void aSecondStartKeepsThePasswordAndPrintsNothing() throws Exception {
    new AdminAccount(database, data).ensure(Map.of(), out);
    Matcher first = PRINTED.matcher(printed());
    assertThat(first.matches()).isTrue();
    stdout.reset();

    AdminAccount again = new AdminAccount(database, data);
    AdminAccount.Setup setup = again.ensure(Map.of("OLLAMA_BRIDGE_ADMIN_PASSWORD", "a password set later"), out);

    assertThat(setup.source()).isEqualTo(AdminAccount.Source.EXISTING);
    assertThat(printed()).isEmpty();
    assertThat(again.verify("admin", first.group(2))).isTrue();
    assertThat(again.verify("admin", "a password set later")).isFalse();
    assertThat(Files.readString(data.resolve("admin-password"))).isEqualTo(first.group(2) + "\n");
  }

  @Test
  void aWrongPasswordAnUnknownUserAndNoPasswordAtAllAreRefused() {
    AdminAccount account = withPassword("correct horse battery");

    assertThat(account.verify("admin", "correct horse battery!")).isFalse();
    assertThat(account.verify("root", "correct horse battery")).isFalse();
    assertThat(account.verify("Admin", "correct horse battery")).isFalse();
    assertThat(account.verify(null, "correct horse battery")).isFalse();
    assertThat(account.verify("admin", null)).isFalse();
    assertThat(account.verify("admin", "")).isFalse();
    assertThat(account.verify("admin", "x".repeat(100_000))).isFalse();
  }

  @Test
  void nobodyLogsInBeforeThePasswordIsSet() {
    AdminAccount account = new AdminAccount(database, data);

    assertThat(account.verify("admin", "")).isFalse();
    assertThat(account.verify("admin", "anything at all")).isFalse();
  }

  @Test
  void aChangedPasswordReplacesTheOldOneAndTheGeneratedFileIsDeleted() {
    AdminAccount account = new AdminAccount(database, data);
    account.ensure(Map.of(), out);
    Matcher printed = PRINTED.matcher(printed());
    assertThat(printed.matches()).isTrue();

    account.change(printed.group(2), "a much better passphrase");

    assertThat(account.verify("admin", "a much better passphrase")).isTrue();
    assertThat(account.verify("admin", printed.group(2))).isFalse();
    assertThat(data.resolve("admin-password")).doesNotExist();
    assertThat(new AdminAccount(database, data).ensure(Map.of(), out).source()).isEqualTo(AdminAccount.Source.EXISTING);
  }

  @Test
  void aChangeNeedsTheCurrentPassword() {
    AdminAccount account = withPassword("correct horse battery");

    assertThatThrownBy(() -> account.change("wrong horse battery", "a much better passphrase"))
        .isInstanceOfSatisfying(AdminAccount.PasswordRefused.class, e -> assertThat(e.field()).isEqualTo("current_password"));
    assertThat(account.verify("admin", "correct horse battery")).isTrue();
  }

  @Test
  void aNewPasswordMustKeepTheRuleAndDifferFromTheCurrentOne() {
    AdminAccount account = withPassword("correct horse battery");

    assertThatThrownBy(() -> account.change("correct horse battery", "short"))
        .isInstanceOfSatisfying(AdminAccount.PasswordRefused.class, e -> assertThat(e.field()).isEqualTo("new_password"))
        .hasMessageContaining("12 to 128 characters");
    assertThatThrownBy(() -> account.change("correct horse battery", "x".repeat(129)))
        .isInstanceOfSatisfying(AdminAccount.PasswordRefused.class, e -> assertThat(e.field()).isEqualTo("new_password"));
    assertThatThrownBy(() -> account.change("correct horse battery", "correct horse battery"))
        .isInstanceOfSatisfying(AdminAccount.PasswordRefused.class, e -> assertThat(e.field()).isEqualTo("new_password"))
        .hasMessageContaining("current");
    assertThat(account.verify("admin", "correct horse battery")).isTrue();
  }

  @Test
  void theRuleCountsCharactersNotBytes() {
    assertThat(AdminAccount.ruleProblem("ü".repeat(12))).isEmpty();
    assertThat(AdminAccount.ruleProblem("🔑".repeat(128))).isEmpty();
    assertThat(AdminAccount.ruleProblem("🔑".repeat(11))).isPresent();
    assertThat(AdminAccount.ruleProblem(null)).isPresent();
  }

  @Test
  void theHashIsArgon2idWithAtLeastOwaspsMinimum() throws Exception {
    withPassword("correct horse battery");

    try (var connection = database.connection();
        var query = connection.prepareStatement("SELECT password_hash FROM admin_login WHERE username = 'admin'");
        var rows = query.executeQuery()) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getString(1)).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").doesNotContain("correct");
    }
  }

  private AdminAccount withPassword(String password) {
    AdminAccount account = new AdminAccount(database, data);
    account.ensure(Map.of("OLLAMA_BRIDGE_ADMIN_PASSWORD", password), out);
    return account;
  }

  private String printed() {
    return stdout.toString(StandardCharsets.UTF_8);
  }
}
