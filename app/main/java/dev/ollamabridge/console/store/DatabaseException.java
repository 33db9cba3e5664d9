package dev.ollamabridge.console.store;

/** Anything the database refused or could not do; the console's one database exception. */
public final class DatabaseException extends RuntimeException {

  public DatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
