package dev.ollamabridge.bridge.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A generation request in neither dialect: what the cache key is made of and what a request in
 * the other dialect is built from.
 *
 * @param messages chat messages as {@code {role, content, images?, …}} with text content
 * @param prompt the prompt of a {@link Kind#GENERATE} request (empty for chat)
 * @param system the system text of a {@link Kind#GENERATE} request, or null
 * @param params sampling parameters under neutral names ({@code temperature}, {@code top_p},
 *     {@code max_tokens}, {@code stop}, …; Ollama-only options keep their Ollama names)
 * @param format null, the text {@code "json"}, or a JSON schema
 * @param extra every other top-level field, which changes the answer but has no neutral name
 * @param includeUsage whether an OpenAI client asked for a usage chunk at the end of a stream
 */
public record Prompt(
    Dialect dialect,
    Kind kind,
    String model,
    boolean stream,
    ArrayNode messages,
    String prompt,
    String system,
    ArrayNode images,
    ObjectNode params,
    JsonNode format,
    ObjectNode extra,
    boolean includeUsage) {}
