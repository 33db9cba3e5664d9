package dev.ollamabridge.fake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.fake.AnswerDelivery.StreamFormat;
import dev.ollamabridge.fake.AnswerDelivery.Timings;
import dev.ollamabridge.fake.FakeAnswers.Answer;
import dev.ollamabridge.fake.FakeAnswers.Token;
import dev.ollamabridge.fake.ModelCatalog.Model;
import dev.ollamabridge.fake.ToolCalls.ToolCall;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The JSON that Ollama's API answers with, field for field as real Ollama writes it. */
final class OllamaBodies {

  /** The two generation endpoints differ only in where the text goes. */
  enum Endpoint {
    /** {@code /api/chat}: text in {@code message.content}, reasoning in {@code message.thinking}. */
    CHAT,
    /** {@code /api/generate}: text in {@code response}, reasoning in {@code thinking}. */
    GENERATE
  }

  private static final String NDJSON = "application/x-ndjson";
  private static final String MODIFIED_AT = "2025-01-01T00:00:00Z";

  private final ObjectMapper json;

  OllamaBodies(ObjectMapper json) {
    this.json = json;
  }

  /** One object before its counts; {@code thinking} is left out when null. */
  ObjectNode line(Endpoint endpoint, String model, String content, String thinking, boolean done) {
    ObjectNode node = json.createObjectNode().put("model", model).put("created_at", Instant.now().toString());
    ObjectNode text = endpoint == Endpoint.CHAT ? node.putObject("message").put("role", "assistant") : node;
    text.put(endpoint == Endpoint.CHAT ? "content" : "response", content);
    if (thinking != null) {
      text.put("thinking", thinking);
    }
    return node.put("done", done);
  }

  /** Adds what the last line (or a whole answer) carries: why it stopped, counts and durations. */
  ObjectNode withCounts(ObjectNode done, Endpoint endpoint, Answer answer, Timings timings, int promptTokens) {
    done.put("done_reason", answer.finishReason());
    if (endpoint == Endpoint.GENERATE) {
      done.putArray("context").add(1).add(2).add(3);
    }
    return done.put("total_duration", timings.totalNanos())
        .put("load_duration", timings.loadNanos())
        .put("prompt_eval_count", promptTokens)
        .put("prompt_eval_duration", timings.promptEvalNanos())
        .put("eval_count", answer.tokens().size())
        .put("eval_duration", timings.evalNanos());
  }

  /**
   * A whole answer, for {@code "stream": false}.
   *
   * @param top how many alternatives each token's log probability comes with, -1 for none at all
   */
  ObjectNode whole(Endpoint endpoint, String model, Answer answer, Timings timings, int promptTokens, int top) {
    String thinking = answer.thinking();
    ObjectNode done = line(endpoint, model, answer.content(), thinking.isEmpty() ? null : thinking, true);
    if (answer.callsTool()) {
      withCall(done, answer.call());
    } else {
      withLogprobs(done, answer.tokens(), top);
    }
    return withCounts(done, endpoint, answer, timings, promptTokens);
  }

  /** Ollama's top-level {@code logprobs}, one entry per content token, when asked for ({@code top >= 0}). */
  private ObjectNode withLogprobs(ObjectNode line, List<Token> tokens, int top) {
    List<FakeLogprobs.Entry> entries = top < 0 ? List.of() : FakeLogprobs.entries(tokens, top);
    if (!entries.isEmpty()) {
      line.set("logprobs", FakeLogprobs.json(json, entries, false));
    }
    return line;
  }

  /**
   * Frames a stream as NDJSON: one line per token, then the done line with the counts. A tool call
   * comes whole, in one line before the done line, as Ollama sends it once it has parsed it. Each
   * token's line carries its own log probability when {@code top >= 0}.
   */
  StreamFormat stream(Endpoint endpoint, String model, Answer answer, int promptTokens, int top) {
    return new StreamFormat() {
      @Override
      public String contentType() {
        return NDJSON;
      }

      @Override
      public List<byte[]> opening() {
        return List.of();
      }

      @Override
      public byte[] token(Token token) {
        if (answer.callsTool()) {
          return new byte[0];
        }
        return ndjson(token.thinking()
            ? line(endpoint, model, "", token.text(), false)
            : withLogprobs(line(endpoint, model, token.text(), null, false), List.of(token), top));
      }

      @Override
      public List<byte[]> closing(Timings timings) {
        List<byte[]> frames = new ArrayList<>();
        if (answer.callsTool()) {
          frames.add(ndjson(withCall(line(endpoint, model, "", null, false), answer.call())));
        }
        frames.add(ndjson(withCounts(line(endpoint, model, "", null, true), endpoint, answer, timings, promptTokens)));
        return frames;
      }
    };
  }

  /** Adds {@code message.tool_calls} as Ollama writes them: no id, the arguments an object. */
  private static ObjectNode withCall(ObjectNode line, ToolCall call) {
    ObjectNode function = ((ObjectNode) line.get("message")).putArray("tool_calls").addObject().putObject("function");
    function.put("name", call.name()).set("arguments", call.arguments());
    return line;
  }

  /** The older {@code /api/embeddings} answer: one vector, nothing else. */
  ObjectNode embedding(double[] vector) {
    ObjectNode body = json.createObjectNode();
    ArrayNode numbers = body.putArray("embedding");
    for (double value : vector) {
      numbers.add(value);
    }
    return body;
  }

  ObjectNode embeddings(String model, List<double[]> vectors, Timings timings, int promptTokens) {
    ObjectNode body = json.createObjectNode().put("model", model);
    ArrayNode embeddings = body.putArray("embeddings");
    for (double[] vector : vectors) {
      ArrayNode numbers = embeddings.addArray();
      for (double value : vector) {
        numbers.add(value);
      }
    }
    return body.put("total_duration", timings.totalNanos())
        .put("load_duration", timings.loadNanos())
        .put("prompt_eval_count", promptTokens);
  }

  /** {@code /api/tags} lists what is pulled; {@code /api/ps} what is loaded, here the same. */
  List<ObjectNode> listing(List<Model> models, boolean loaded) {
    List<ObjectNode> entries = new ArrayList<>();
    for (Model model : models) {
      ObjectNode entry = json.createObjectNode().put("name", model.name()).put("model", model.name());
      if (!loaded) {
        entry.put("modified_at", MODIFIED_AT);
      }
      entry.put("size", model.size()).put("digest", model.digest());
      entry.set("details", details());
      if (loaded) {
        entry.put("expires_at", Instant.now().plus(Duration.ofMinutes(5)).toString())
            .put("size_vram", model.size())
            .put("context_length", 4096);
      }
      entries.add(entry);
    }
    return entries;
  }

  ObjectNode show(Model model, boolean thinks) {
    ObjectNode body = json.createObjectNode()
        .put("modelfile", "# Modelfile generated by fake-ollama\nFROM " + model.name() + "\n")
        .put("parameters", "stop                           \"<|eot_id|>\"")
        .put("template", "{{ .Prompt }}");
    body.set("details", details());
    body.putObject("model_info")
        .put("general.architecture", "llama")
        .put("general.parameter_count", 1_000_000_000L)
        .put("llama.context_length", 131072)
        .put("llama.embedding_length", FakeAnswers.EMBEDDING_DIMENSIONS);
    ArrayNode capabilities = body.putArray("capabilities").add("completion");
    if (thinks) {
      capabilities.add("thinking");
    }
    return body.put("modified_at", MODIFIED_AT);
  }

  private ObjectNode details() {
    ObjectNode details = json.createObjectNode().put("parent_model", "").put("format", "gguf").put("family", "llama");
    details.putArray("families").add("llama");
    return details.put("parameter_size", "1B").put("quantization_level", "Q4_K_M");
  }

  private byte[] ndjson(ObjectNode line) {
    return FakeBackend.frame(json, line, "", "\n");
  }
}
