package dev.ollamabridge.console.web;

import dev.ollamabridge.console.backup.BackupService;
import java.util.List;

/** The Settings page's list of backups: where they are, the newest of them, and how many there are. */
public record BackupsPart(String dir, List<BackupService.BackupFile> newest, int count) {}
