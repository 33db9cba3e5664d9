package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ollamabridge.bridge.translate.Prompt;
import dev.ollamabridge.http.AddressPolicy;
import dev.ollamabridge.http.CheckedSockets;
import java.io.IOException;
import java.io.InputStream;
import java.net.Proxy;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remote images for a backend that only takes them inline (Ollama): fetched only when the bridge
 * was started with {@code --fetch-image-urls}, since the bridge then makes requests wherever its
 * clients point it; otherwise refused with a 400 that says how to send the image instead.
 *
 * <p>A client must not use the bridge to reach what only the bridge can reach: every connection,
 * redirects included, goes to an address the {@link AddressPolicy} allows (public addresses only,
 * checked on the address the socket connects to), without a proxy and through a connection pool of
 * its own. All the images of one request share one budget of {@value #MAX_BYTES} bytes and
 * {@code TIMEOUT}; and every failure, whatever its reason, is the same 400, so that the answer
 * tells nothing about what lives at an address (no status, content type, port state or address).
 */
final class RemoteImages {

  /** The bytes of all the remote images of one request together. */
  static final long MAX_BYTES = 20L * 1024 * 1024;
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Logger log = LoggerFactory.getLogger(RemoteImages.class);

  private final OkHttpClient http;
  private final boolean allowed;

  RemoteImages(OkHttpClient shared, boolean allowed, AddressPolicy addresses) {
    this.http = shared.newBuilder()
        .proxy(Proxy.NO_PROXY) // the address checked is the address connected to
        // a pool of its own that keeps nothing: never a connection to the backend (which may well be
        // private), and none left open once a request's images are in
        .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
        .socketFactory(new CheckedSockets(addresses))
        .build();
    this.allowed = allowed;
  }

  /** Replaces every remote image of the prompt, in its messages or beside its prompt, by its bytes in base64. */
  /** Whether {@link #inline} has any image to fetch (and so may block): one named by an http(s) URL. */
  boolean fetches(Prompt prompt) {
    for (JsonNode message : prompt.messages()) {
      if (message.path("images").isArray() && anyUrl((ArrayNode) message.get("images"))) {
        return true;
      }
    }
    return anyUrl(prompt.images());
  }

  private static boolean anyUrl(ArrayNode images) {
    for (JsonNode image : images) {
      String text = image.asText();
      if (text.startsWith("http://") || text.startsWith("https://")) {
        return true;
      }
    }
    return false;
  }

  void inline(Prompt prompt) {
    Budget budget = new Budget(MAX_BYTES, System.nanoTime() + TIMEOUT.toNanos());
    for (JsonNode message : prompt.messages()) {
      if (message.path("images").isArray()) {
        inline((ArrayNode) message.get("images"), budget);
      }
    }
    inline(prompt.images(), budget);
  }

  private void inline(ArrayNode images, Budget budget) {
    for (int i = 0; i < images.size(); i++) {
      String image = images.get(i).asText();
      if (image.startsWith("http://") || image.startsWith("https://")) {
        images.set(i, TextNode.valueOf(fetch(image, budget)));
      }
    }
  }

  private String fetch(String url, Budget budget) {
    if (!allowed) {
      throw ApiException.badRequest("messages", "image_url " + shortened(url) + " is a remote URL, and this bridge's "
          + "backend (Ollama) only takes images inline: send it as a data: URL, or start the bridge with --fetch-image-urls");
    }
    HttpUrl parsed = HttpUrl.parse(url);
    if (parsed == null) {
      throw ApiException.badRequest("messages", "image_url " + shortened(url) + " is not a valid URL");
    }
    long nanosLeft = budget.deadline - System.nanoTime();
    if (nanosLeft <= 0) {
      throw notFetched(url, "no time left");
    }
    Call call = http.newCall(new Request.Builder().url(parsed).build());
    call.timeout().timeout(nanosLeft, TimeUnit.NANOSECONDS);
    try (Response response = call.execute()) {
      MediaType type = response.body().contentType();
      if (response.code() != 200 || type == null || !type.type().equals("image")) {
        throw notFetched(url, "HTTP " + response.code() + ", " + type);
      }
      if (response.body().contentLength() > budget.bytesLeft) {
        throw notFetched(url, response.body().contentLength() + " bytes, " + budget.bytesLeft + " left");
      }
      try (InputStream in = response.body().byteStream()) {
        byte[] bytes = in.readNBytes((int) budget.bytesLeft + 1);
        if (bytes.length > budget.bytesLeft) {
          throw notFetched(url, "more than the " + budget.bytesLeft + " bytes left");
        }
        budget.bytesLeft -= bytes.length;
        return Base64.getEncoder().encodeToString(bytes);
      }
    } catch (IOException e) {
      throw notFetched(url, refusal(e));
    }
  }

  /** The one answer to every image that could not be fetched, which names the rules but not the reason. */
  private static ApiException notFetched(String url, String reason) {
    log.debug("image_url {} not fetched: {}", url, reason);
    return ApiException.badRequest("messages", "an image_url could not be fetched: this bridge fetches, from public "
        + "addresses only, images answered with HTTP 200 and an image/* type, at most " + MAX_BYTES / 1024 / 1024
        + " MiB and " + TIMEOUT.toSeconds() + " s for all the images of a request");
  }

  /** For the operator's log: the policy's refusal, which OkHttp wraps in its own "Failed to connect". */
  private static String refusal(IOException failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof CheckedSockets.RefusedAddressException) {
        return cause.getMessage();
      }
    }
    return failure.toString();
  }

  private static String shortened(String url) {
    return url.length() > 80 ? url.substring(0, 80) + "…" : url;
  }

  /** What is left, for the images of one request, of the bytes and the time they may take. */
  private static final class Budget {
    long bytesLeft;
    final long deadline;

    Budget(long bytes, long deadline) {
      this.bytesLeft = bytes;
      this.deadline = deadline;
    }
  }
}
