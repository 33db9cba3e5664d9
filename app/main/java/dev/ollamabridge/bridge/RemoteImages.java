package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ollamabridge.bridge.translate.Prompt;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Base64;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Remote images for a backend that only takes them inline (Ollama): fetched, within a size and a
 * time limit, only when the bridge was started with {@code --fetch-image-urls}, since the bridge
 * then makes requests wherever its clients point it; otherwise refused with a 400 that says how
 * to send the image instead.
 */
final class RemoteImages {

  static final long MAX_BYTES = 20L * 1024 * 1024;
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final OkHttpClient http;
  private final boolean allowed;

  RemoteImages(OkHttpClient shared, boolean allowed) {
    this.http = shared.newBuilder().callTimeout(TIMEOUT).build();
    this.allowed = allowed;
  }

  /** Replaces every remote image of the prompt, in its messages or beside its prompt, by its bytes in base64. */
  void inline(Prompt prompt) {
    for (JsonNode message : prompt.messages()) {
      if (message.path("images").isArray()) {
        inline((ArrayNode) message.get("images"));
      }
    }
    inline(prompt.images());
  }

  private void inline(ArrayNode images) {
    for (int i = 0; i < images.size(); i++) {
      String image = images.get(i).asText();
      if (image.startsWith("http://") || image.startsWith("https://")) {
        images.set(i, TextNode.valueOf(fetch(image)));
      }
    }
  }

  private String fetch(String url) {
    if (!allowed) {
      throw ApiException.badRequest("messages", "image_url " + shortened(url) + " is a remote URL, and this bridge's "
          + "backend (Ollama) only takes images inline: send it as a data: URL, or start the bridge with --fetch-image-urls");
    }
    HttpUrl parsed = HttpUrl.parse(url);
    if (parsed == null) {
      throw ApiException.badRequest("messages", "image_url " + shortened(url) + " is not a valid URL");
    }
    try (Response response = http.newCall(new Request.Builder().url(parsed).build()).execute()) {
      if (!response.isSuccessful()) {
        throw ApiException.badRequest("messages", "image_url " + shortened(url) + " could not be fetched: HTTP " + response.code());
      }
      MediaType type = response.body().contentType();
      if (type == null || !type.type().equals("image")) {
        throw ApiException.badRequest("messages", "image_url " + shortened(url) + " is not an image (" + type + ")");
      }
      if (response.body().contentLength() > MAX_BYTES) {
        throw tooLarge(url);
      }
      try (InputStream in = response.body().byteStream()) {
        byte[] bytes = in.readNBytes((int) MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) {
          throw tooLarge(url);
        }
        return Base64.getEncoder().encodeToString(bytes);
      }
    } catch (IOException e) {
      throw ApiException.badRequest("messages", "image_url " + shortened(url) + " could not be fetched within "
          + TIMEOUT.toSeconds() + " s");
    }
  }

  private static ApiException tooLarge(String url) {
    return ApiException.badRequest("messages", "image_url " + shortened(url) + " is larger than " + MAX_BYTES / 1024 / 1024 + " MiB");
  }

  private static String shortened(String url) {
    return url.length() > 80 ? url.substring(0, 80) + "…" : url;
  }
}
