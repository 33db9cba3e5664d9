package dev.ollamabridge.console.web;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import gg.jte.resolve.DirectoryCodeResolver;
import io.javalin.http.Context;
import java.nio.file.Path;

/**
 * Renders the jte pages of {@code templates/}: precompiled into the jar, or, when the system property
 * {@code ollamabridge.templates} names that directory, read from it on every change (for working on
 * the pages without a rebuild).
 */
final class Pages {

  private final TemplateEngine engine;

  Pages() {
    String dir = System.getProperty("ollamabridge.templates");
    engine = dir == null
        ? TemplateEngine.createPrecompiled(null, ContentType.Html, null, "dev.ollamabridge.generated.pages")
        : TemplateEngine.create(new DirectoryCodeResolver(Path.of(dir)), ContentType.Html);
  }

  /** Renders a template with its one page record into the answer. */
  void render(Context ctx, String template, Object page) {
    StringOutput out = new StringOutput();
    engine.render(template, page, out);
    ctx.contentType("text/html; charset=utf-8").result(out.toString());
  }
}
