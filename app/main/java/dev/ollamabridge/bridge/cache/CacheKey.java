package dev.ollamabridge.bridge.cache;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.bridge.translate.Kind;
import dev.ollamabridge.bridge.translate.Prompt;
import dev.ollamabridge.digest.Sha256;

/**
 * The cache key of a generation request: a SHA-256 of its canonical form (kind, model, messages
 * or prompt, sampling parameters, format and any other field that changes the answer). Neither
 * {@code stream} nor the client's dialect is part of it, so one entry serves all four ways of
 * asking the same question.
 */
public final class CacheKey {

  /** Bump when the canonical form changes, so old entries are no longer found. */
  private static final int FORMAT = 1;

  private CacheKey() {}

  public static String of(Prompt prompt) {
    ObjectNode canonical = Json.object();
    canonical.put("v", FORMAT);
    canonical.put("kind", prompt.kind().name());
    canonical.put("model", prompt.model());
    if (prompt.kind() == Kind.CHAT) {
      canonical.set("messages", prompt.messages());
    } else {
      canonical.put("prompt", prompt.prompt());
      canonical.put("system", prompt.system());
      canonical.set("images", prompt.images());
    }
    canonical.set("params", prompt.params());
    canonical.set("format", prompt.format());
    canonical.set("extra", prompt.extra());
    return Sha256.hex(Json.canonical(canonical));
  }
}
