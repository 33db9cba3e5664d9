package dev.ollamabridge.console.nginx;

/**
 * An apply that did not take: {@code nginx -t} refused the candidate (the old configuration kept
 * serving), or the reload or its check failed (the last good one was restored). Carries the
 * recorded revision, with nginx's full output.
 */
public final class NginxFailure extends RuntimeException {

  private final Revision revision;

  public NginxFailure(Revision revision) {
    super(revision.message(), null, false, false);
    this.revision = revision;
  }

  public Revision revision() {
    return revision;
  }

  public boolean rejected() {
    return "rejected".equals(revision.result());
  }
}
