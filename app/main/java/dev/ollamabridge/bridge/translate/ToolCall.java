package dev.ollamabridge.bridge.translate;

/**
 * A function the model asks the client to call. {@code arguments} is JSON text, as OpenAI sends
 * it; Ollama's argument objects are written and read as that text.
 */
public record ToolCall(String id, String name, String arguments) {}
