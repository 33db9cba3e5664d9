package dev.ollamabridge.console.web;

import dev.ollamabridge.console.backup.BackupRefused;
import dev.ollamabridge.console.backup.BackupService;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Settings page's backups: its Backup button makes one (without secrets: those only through the
 * command line) and downloads it; the newest in backup.dir are listed, each downloadable by its name as
 * the listing has it.
 */
final class BackupPages {

  /** How many of the newest backups the page lists. */
  private static final int SHOWN = 10;

  private final BackupService backups;
  private final Pages pages;

  BackupPages(BackupService backups, Pages pages) {
    this.backups = backups;
    this.pages = pages;
  }

  /** The page's part that lists the backups: loaded with the page, and again after a download. */
  void list(Context ctx) {
    List<BackupService.BackupFile> all = backups.list();
    pages.render(ctx, "settings/_backups.jte", new BackupsPart(backups.directory().toString(),
        all.subList(0, Math.min(SHOWN, all.size())), all.size()));
  }

  /** The Backup button: a new backup, answered as a download. */
  void create(Context ctx) throws IOException {
    BackupService.BackupFile made;
    try {
      made = backups.create(WebRoutes.actor(ctx));
    } catch (BackupRefused e) {
      throw new io.javalin.http.InternalServerErrorResponse("the backup failed: " + e.getMessage());
    }
    send(ctx, backups.file(made.name()).orElseThrow(() -> new NotFoundResponse("the backup " + made.name()
        + " went before it could be sent: backup.keep removed it")));
  }

  void download(Context ctx) throws IOException {
    String name = ctx.pathParam("name");
    send(ctx, backups.file(name).orElseThrow(() -> new NotFoundResponse("there is no backup of that name")));
  }

  private static void send(Context ctx, Path file) throws IOException {
    ctx.contentType("application/zip")
        .header("Content-Disposition", "attachment; filename=\"" + file.getFileName() + "\"")
        .header("Content-Length", Long.toString(Files.size(file)))
        .result(Files.newInputStream(file));
  }
}
