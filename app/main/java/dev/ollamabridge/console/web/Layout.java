package dev.ollamabridge.console.web;

/**
 * What the shared layout needs from every page: its title, the section it belongs to (for the
 * navigation), and the session's CSRF token, which htmx sends with every request from the page.
 */
public record Layout(String title, String section, String csrfToken) {

  public String csrfHeaders() {
    return "{\"" + WebSecurity.CSRF_HEADER + "\": \"" + csrfToken + "\"}";
  }

  public String htmx() {
    return WebJars.HTMX;
  }

  public String uplot() {
    return WebJars.UPLOT;
  }

  public String uplotCss() {
    return WebJars.UPLOT_CSS;
  }
}
