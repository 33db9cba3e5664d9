package dev.ollamabridge.console.api;

import dev.ollamabridge.console.backup.BackupService;
import dev.ollamabridge.logs.LogText;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /api/v1/backups} makes a backup (without secrets) in backup.dir; {@code GET /api/v1/backups}
 * lists them, newest first; {@code GET /api/v1/backups/{name}} downloads one, the name looked up in that
 * list, never used as a path.
 */
final class BackupRoutes {

  private final BackupService backups;

  BackupRoutes(BackupService backups) {
    this.backups = backups;
  }

  void create(Context ctx) {
    ctx.status(201).json(json(backups.create(ConsoleApi.actor(ctx))));
  }

  void list(Context ctx) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("dir", backups.directory().toString());
    answer.put("backups", backups.list().stream().map(BackupRoutes::json).toList());
    ctx.json(answer);
  }

  void download(Context ctx) throws IOException {
    String name = ctx.pathParam("name");
    Path file = backups.file(name).orElseThrow(() -> new NginxRoutes.NotFound("no backup named '"
        + LogText.oneLine(name, 100) + "' in " + backups.directory()));
    ctx.contentType("application/zip")
        .header("Content-Disposition", "attachment; filename=\"" + file.getFileName() + "\"")
        .header("Content-Length", Long.toString(Files.size(file)))
        .result(Files.newInputStream(file));
  }

  static Map<String, Object> json(BackupService.BackupFile backup) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", backup.name());
    json.put("bytes", backup.bytes());
    json.put("created_at", backup.createdAt().toString());
    json.put("secrets", false);
    return json;
  }
}
