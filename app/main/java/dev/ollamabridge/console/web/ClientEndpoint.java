package dev.ollamabridge.console.web;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.settings.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The address clients send their requests to, as the dashboard shows it: nginx's when the console
 * runs or writes one (http, and https when a certificate is set), else a bridge's own address.
 *
 * @param bases nginx's base URLs (e.g. {@code http://127.0.0.1:8080}); empty when nginx is off
 * @param bridge a bridge's base URL to name as an example when nginx is off, or null when there is none
 */
public record ClientEndpoint(List<String> bases, String bridge) {

  /**
   * @param nginx whether nginx takes the clients' requests (nginx.mode managed or system)
   * @param browserHost the host the browser reached the console by, for a wildcard listen address
   * @param someBridge an instance's address ({@code host:port}), or null when there is none
   */
  static ClientEndpoint of(Map<Setting, String> settings, boolean nginx, String browserHost, String someBridge) {
    String bridge = someBridge == null ? null : "http://" + someBridge;
    if (!nginx) {
      return new ClientEndpoint(List.of(), bridge);
    }
    List<String> bases = new ArrayList<>();
    bases.add("http://" + reachable(HostPort.parse(settings.get(Setting.NGINX_LISTEN)), browserHost));
    if (!settings.getOrDefault(Setting.NGINX_TLS_CERT, "").isEmpty()) {
      bases.add("https://" + reachable(HostPort.parse(settings.get(Setting.NGINX_TLS_LISTEN)), browserHost));
    }
    return new ClientEndpoint(List.copyOf(bases), bridge);
  }

  /** A wildcard listen address is reached by the name the browser used for the console, if it is a plain host. */
  private static String reachable(HostPort listen, String browserHost) {
    if (HostPort.isWildcard(listen.host()) && browserHost != null && HostPort.isHost(browserHost)) {
      return new HostPort(browserHost, listen.port()).toString();
    }
    return listen.dialAddress();
  }
}
