package dev.ollamabridge.console.web;

import dev.ollamabridge.console.files.GeneratedFiles;
import dev.ollamabridge.console.files.RenderException;
import dev.ollamabridge.console.nginx.ConfigSource;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /files}: the generated files as they would be rendered now, to read and download.
 * supervisor.conf refers to the bridges' secrets here; the file with them in clear is the API's
 * explicit export only.
 */
final class FilePages {

  private final ConfigSource configs;
  private final Pages pages;

  FilePages(ConfigSource configs, Pages pages) {
    this.configs = configs;
    this.pages = pages;
  }

  void show(Context ctx) {
    List<FilesPage.Preview> files = new ArrayList<>();
    for (GeneratedFiles.Kind kind : GeneratedFiles.Kind.values()) {
      String note = switch (kind) {
        case NGINX -> "What an apply would put in place; the nginx page shows how it differs from the served one.";
        case SUPERVISOR -> "For running the bridges under a real supervisord. Secrets are referenced as %(ENV_…)s:"
            + " set those variables in supervisord's environment.";
        case PROMETHEUS -> "Scrape configuration that asks the console for every enabled bridge (HTTP service discovery):"
            + " put an API token in " + GeneratedFiles.PROMETHEUS_TOKEN_FILE + " beside it.";
      };
      try {
        files.add(new FilesPage.Preview(kind.fileName(), configs.render(kind), null, note));
      } catch (RenderException e) {
        files.add(new FilesPage.Preview(kind.fileName(), null, e.getMessage(), note));
      }
    }
    pages.render(ctx, "files.jte", new FilesPage(WebRoutes.layout(ctx, "Files", "files"), files));
  }

  void download(Context ctx) {
    GeneratedFiles.Kind kind;
    try {
      kind = GeneratedFiles.Kind.byFileName(ctx.pathParam("name"));
    } catch (IllegalArgumentException e) {
      throw new NotFoundResponse(e.getMessage());
    }
    String text = configs.render(kind);
    ctx.header("Content-Disposition", "attachment; filename=\"" + kind.fileName() + "\"")
        .contentType("text/plain; charset=utf-8")
        .result(text);
  }
}
