package dev.ollamabridge.console.alerts;

import dev.ollamabridge.console.validation.Violation;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A webhook's fields as an API body or a form gave them; null leaves a field as it is (or, for a new
 * webhook, takes its default). {@link #violations()} names every field that breaks its rule.
 *
 * <p>Any http or https address is taken, loopback and private ones included: the console posts from
 * its own machine, as an operator on it could, and a receiver on the same machine or network is
 * common (a relay, a test). No redirect is followed, so an address cannot send the post elsewhere.
 */
public record WebhookChanges(String name, String url, String format, Boolean enabled) {

  public static final int MAX_URL = 2048;
  public static final String NAME_RULE = "1 to 63 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}");

  public WebhookChanges {
    name = name == null ? null : name.strip();
    url = url == null ? null : url.strip();
    format = format == null ? null : format.strip().toLowerCase(Locale.ROOT);
  }

  public List<Violation> violations() {
    List<Violation> wrong = new ArrayList<>();
    if (name != null && !NAME.matcher(name).matches()) {
      wrong.add(new Violation("name", "name must be " + NAME_RULE));
    }
    if (url != null) {
      urlProblem(url).ifPresent(problem -> wrong.add(new Violation("url", "url " + problem)));
    }
    if (format != null && !format.equals(Webhook.GENERIC) && !format.equals(Webhook.SLACK)) {
      wrong.add(new Violation("format", "format must be generic (the console's JSON) or slack (Slack's {\"text\": …})"));
    }
    return wrong;
  }

  private static java.util.Optional<String> urlProblem(String url) {
    if (url.length() > MAX_URL) {
      return java.util.Optional.of("must be at most " + MAX_URL + " characters (it has " + url.length() + ")");
    }
    if (url.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      return java.util.Optional.of("must hold no spaces or control characters");
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        return java.util.Optional.of("must start with http:// or https://");
      }
      if (uri.getHost() == null || okhttp3.HttpUrl.parse(url) == null) {
        return java.util.Optional.of("must name a host, e.g. https://hooks.example.com/alerts");
      }
      if (uri.getRawFragment() != null) {
        return java.util.Optional.of("must have no #fragment: it is never sent");
      }
      return java.util.Optional.empty();
    } catch (URISyntaxException e) {
      return java.util.Optional.of("is not a valid URL: " + e.getReason());
    }
  }
}
