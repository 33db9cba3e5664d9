package dev.ollamabridge.console.auth;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.DatabaseException;
import dev.ollamabridge.files.OwnerOnly;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console's one login, user {@value #USER}, whose password is kept only as an Argon2id
 * hash. The password is set on first start ({@link #ensure}) and changed by the admin
 * ({@link #change}); there is no way to read it back.
 */
public final class AdminAccount {

  public static final String USER = "admin";
  public static final String PASSWORD_VARIABLE = "OLLAMA_BRIDGE_ADMIN_PASSWORD";
  public static final String PASSWORD_FILE = "admin-password";
  public static final String CURRENT_PASSWORD = "current_password";
  public static final String NEW_PASSWORD = "new_password";
  public static final int MIN_LENGTH = 12;
  public static final int MAX_LENGTH = 128;
  public static final String RULE = "a password has " + MIN_LENGTH + " to " + MAX_LENGTH + " characters";

  private static final Logger log = LoggerFactory.getLogger(AdminAccount.class);
  /** OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane; a 16-byte salt and a 32-byte hash. */
  private static final Argon2Function ARGON2 = Argon2Function.getInstance(19 * 1024, 2, 1, 32, Argon2.ID);
  /** No 0/o, 1/l/i: easy to read from a terminal and to type. 20 of these are ~99 bits. */
  private static final String ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
  private static final int GENERATED_LENGTH = 20;

  private final Database database;
  private final Path passwordFile;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  /** Each hash takes 19 MiB of heap: a burst of logins waits here instead of exhausting memory. */
  private final Semaphore hashing = new Semaphore(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
  /** Checked when there is no account or the user is unknown, so that a refusal takes as long as a match. */
  private final String decoyHash;

  public AdminAccount(Database database, Path dataDir, Clock clock) {
    this.database = database;
    this.passwordFile = dataDir.resolve(PASSWORD_FILE);
    this.clock = clock;
    this.decoyHash = hash(generate());
  }

  public AdminAccount(Database database, Path dataDir) {
    this(database, dataDir, Clock.systemUTC());
  }

  /** How the admin password came to be at this start. */
  public enum Source {
    /** It was set at an earlier start (or changed since); nothing was done. */
    EXISTING,
    /** Taken from {@value #PASSWORD_VARIABLE}. */
    ENVIRONMENT,
    /** Generated, printed once and written to {@link Setup#passwordFile()}. */
    GENERATED
  }

  /** What {@link #ensure} did; {@code passwordFile} is where a generated password was written, else null. */
  public record Setup(Source source, Path passwordFile) {}

  /**
   * Makes sure there is an admin password: when there is none yet, takes {@value #PASSWORD_VARIABLE}
   * from {@code env} (an empty one counts as unset), or generates one, prints it once to {@code out}
   * and writes it to {@code <data>/admin-password} (0600). A password in the environment that breaks
   * the rule is a {@link PasswordRefused} naming the variable and the rule.
   */
  public Setup ensure(Map<String, String> env, PrintStream out) {
    String fromEnv = env.get(PASSWORD_VARIABLE);
    boolean envSet = fromEnv != null && !fromEnv.isEmpty();
    if (storedHash().isPresent()) {
      if (envSet) {
        log.info("{} is ignored: the admin password was set before; change it in the web console", PASSWORD_VARIABLE);
      }
      return new Setup(Source.EXISTING, null);
    }
    if (envSet) {
      ruleProblem(fromEnv).ifPresent(problem -> {
        throw new PasswordRefused(PASSWORD_VARIABLE, PASSWORD_VARIABLE + " is not a usable admin password: " + problem
            + "; set another, or unset it to have one generated");
      });
      insert(hash(fromEnv));
      log.info("the web console's admin password was set from {}", PASSWORD_VARIABLE);
      return new Setup(Source.ENVIRONMENT, null);
    }
    String generated = generate();
    String hash = hash(generated);
    // the file first: a password that is stored but written nowhere would be lost
    writePasswordFile(generated);
    try {
      insert(hash);
    } catch (RuntimeException e) {
      deletePasswordFile();
      throw e;
    }
    out.println("Admin password for the web console (shown once; also in " + passwordFile + "): " + generated);
    out.flush();
    return new Setup(Source.GENERATED, passwordFile);
  }

  /**
   * Whether {@code user} and {@code password} are the admin's. Takes the time of one hash whatever
   * the answer, so that a refusal does not tell whether the user exists.
   */
  public boolean verify(String user, String password) {
    Optional<String> stored = storedHash();
    boolean known = USER.equals(user) && stored.isPresent();
    // longer than any password the rule allows (in chars, a code point may take two): never right
    boolean usable = password != null && password.length() <= 2 * MAX_LENGTH;
    boolean matches = check(usable ? password : "", known ? stored.get() : decoyHash);
    return known && usable && matches;
  }

  /**
   * Replaces the password after checking the current one, then deletes the generated password's
   * file, which would be stale. {@link PasswordRefused} names every field to fix:
   * {@code current_password} and {@code new_password}. Ending other sessions is the caller's part.
   */
  public void change(String currentPassword, String newPassword) {
    Map<String, String> problems = problems(currentPassword, newPassword);
    if (!problems.isEmpty()) {
      throw new PasswordRefused(problems);
    }
    String hash = hash(newPassword);
    try (Connection connection = database.connection();
        PreparedStatement update = connection.prepareStatement(
            "UPDATE admin_login SET password_hash = ?, changed_at = ? WHERE username = ?")) {
      update.setString(1, hash);
      update.setString(2, clock.instant().toString());
      update.setString(3, USER);
      update.executeUpdate();
    } catch (SQLException e) {
      throw new DatabaseException("could not change the admin password: " + e.getMessage(), e);
    }
    deletePasswordFile();
    log.info("the web console's admin password was changed");
  }

  /**
   * What {@link #change} would refuse, by field, changing nothing: the current password checked (one
   * hash), the new one against the rule. Empty when the change would be made.
   */
  public Map<String, String> problems(String currentPassword, String newPassword) {
    Map<String, String> problems = new LinkedHashMap<>();
    boolean currentRight = verify(USER, currentPassword);
    if (!currentRight) {
      problems.put(CURRENT_PASSWORD, "this is not the current password: type the one you log in with");
    }
    ruleProblem(newPassword).ifPresent(problem -> problems.put(NEW_PASSWORD, problem));
    if (currentRight && !problems.containsKey(NEW_PASSWORD) && newPassword.equals(currentPassword)) {
      problems.put(NEW_PASSWORD, "the new password is the current one");
    }
    return problems;
  }

  /**
   * Where the generated first password is, for the login page to point to: only while that file
   * exists and the password was never changed (a change deletes the file; a stale one is not named).
   */
  public Optional<Path> firstPasswordFile() {
    if (!Files.isRegularFile(passwordFile)) {
      return Optional.empty();
    }
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement(
            "SELECT created_at = changed_at FROM admin_login WHERE username = ?")) {
      query.setString(1, USER);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() && rows.getBoolean(1) ? Optional.of(passwordFile) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new DatabaseException("could not read the admin login: " + e.getMessage(), e);
    }
  }

  /** What is wrong with {@code password} as a new password, or empty when it may be used. */
  public static Optional<String> ruleProblem(String password) {
    int length = password == null ? 0 : password.codePointCount(0, password.length());
    if (length < MIN_LENGTH || length > MAX_LENGTH) {
      return Optional.of(RULE + ", this one has " + length);
    }
    return Optional.empty();
  }

  private boolean check(String password, String hash) {
    hashing.acquireUninterruptibly();
    try {
      return Password.check(password, hash).with(Argon2Function.getInstanceFromHash(hash));
    } finally {
      hashing.release();
    }
  }

  private String hash(String password) {
    hashing.acquireUninterruptibly();
    try {
      return Password.hash(password).addRandomSalt(16).with(ARGON2).getResult();
    } finally {
      hashing.release();
    }
  }

  private String generate() {
    StringBuilder password = new StringBuilder(GENERATED_LENGTH);
    for (int i = 0; i < GENERATED_LENGTH; i++) {
      password.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return password.toString();
  }

  private Optional<String> storedHash() {
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement("SELECT password_hash FROM admin_login WHERE username = ?")) {
      query.setString(1, USER);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new DatabaseException("could not read the admin login: " + e.getMessage(), e);
    }
  }

  private void insert(String hash) {
    String now = clock.instant().toString();
    try (Connection connection = database.connection();
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO admin_login (username, password_hash, created_at, changed_at) VALUES (?, ?, ?, ?)")) {
      insert.setString(1, USER);
      insert.setString(2, hash);
      insert.setString(3, now);
      insert.setString(4, now);
      insert.executeUpdate();
    } catch (SQLException e) {
      throw new DatabaseException("could not store the admin password: " + e.getMessage(), e);
    }
  }

  /** Written whole or not at all: a temp file, owner-only from the start, moved over the old one. */
  private void writePasswordFile(String password) {
    try {
      Path temp = Files.createTempFile(passwordFile.getParent(), "." + PASSWORD_FILE, ".tmp", OwnerOnly.fileAttributes());
      try {
        Files.writeString(temp, password + "\n");
        Files.move(temp, passwordFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + passwordFile + ": " + e.getMessage(), e);
    }
  }

  private void deletePasswordFile() {
    try {
      Files.deleteIfExists(passwordFile);
    } catch (IOException e) {
      log.warn("could not delete {}, which holds a password no longer in use: {}", passwordFile, e.toString());
    }
  }

  /**
   * A password that breaks the rule or is not right; {@link #problems()} names each field (or
   * variable) to fix with why, {@link #field()} the first.
   */
  public static final class PasswordRefused extends RuntimeException {

    private final Map<String, String> problems;

    public PasswordRefused(String field, String message) {
      this(Map.of(field, message));
    }

    public PasswordRefused(Map<String, String> problems) {
      super(String.join("; ", problems.values()), null, false, false);
      this.problems = Collections.unmodifiableMap(new LinkedHashMap<>(problems));
    }

    public String field() {
      return problems.keySet().iterator().next();
    }

    public Map<String, String> problems() {
      return problems;
    }
  }
}
