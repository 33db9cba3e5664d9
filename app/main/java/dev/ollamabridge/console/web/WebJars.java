package dev.ollamabridge.console.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Paths of front-end libraries served from their WebJars, with the version the build put on the classpath. */
final class WebJars {

  static final String HTMX = path("htmx.org", "dist/htmx.min.js");
  static final String UPLOT = path("uplot", "dist/uPlot.iife.min.js");
  static final String UPLOT_CSS = path("uplot", "dist/uPlot.min.css");

  private WebJars() {}

  private static String path(String artifact, String file) {
    String properties = "/META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
    try (InputStream in = WebJars.class.getResourceAsStream(properties)) {
      if (in == null) {
        throw new IllegalStateException("the WebJar " + artifact + " is not on the classpath");
      }
      Properties pom = new Properties();
      pom.load(in);
      return "/webjars/" + artifact + "/" + pom.getProperty("version") + "/" + file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
