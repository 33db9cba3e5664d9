package dev.ollamabridge.console.nginx;

/**
 * Where an applied configuration goes and how nginx takes it. {@link NginxApplier} runs the same
 * transaction against either: stage → test → promote → reload → verify, restoring the last good
 * file on any failure.
 */
public interface NginxTarget {

  /** Puts the candidate where {@link #test()} will read it. */
  void stage(String config) throws java.io.IOException;

  /** {@code nginx -t} on the staged candidate. */
  Commands.Outcome test();

  /** Drops a refused candidate; the configuration in use is untouched. */
  void unstage() throws java.io.IOException;

  /** Makes the candidate the configuration in use, keeping the previous one as last good. */
  void promote() throws java.io.IOException;

  /** Tells nginx to load the configuration in use (starting it if it runs here and is not up). */
  Commands.Outcome reload();

  /** Puts the last good configuration back in use. */
  void restoreLastGood() throws java.io.IOException;

  /** The configuration in use now, or null if there is none. */
  String current() throws java.io.IOException;
}
