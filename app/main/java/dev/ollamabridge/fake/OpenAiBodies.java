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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

/** The JSON that the OpenAI API answers with, including its server-sent event streams. */
final class OpenAiBodies {

  /** Chat completions carry a message or delta; legacy completions carry text. */
  enum Kind {
    CHAT("chat.completion", "chat.completion.chunk"),
    TEXT("text_completion", "text_completion");

    private final String wholeObject;
    private final String chunkObject;

    Kind(String wholeObject, String chunkObject) {
      this.wholeObject = wholeObject;
      this.chunkObject = chunkObject;
    }
  }

  /**
   * Identifies one completion in every chunk of its stream.
   *
   * @param top how many alternatives each token's log probability comes with, -1 when none were asked for
   */
  record Completion(Kind kind, String id, long created, String model, Answer answer, int promptTokens, int top) {}

  /** Models in listings claim this creation time, so listings stay byte-stable. */
  private static final long MODELS_CREATED = 1_700_000_000L;

  private static final String DONE = "data: [DONE]\n\n";

  private final ObjectMapper json;

  OpenAiBodies(ObjectMapper json) {
    this.json = json;
  }

  /** A whole answer, for requests without {@code "stream": true}. */
  ObjectNode whole(Completion completion) {
    ObjectNode body = header(completion, completion.kind().wholeObject);
    ObjectNode choice = body.putArray("choices").addObject();
    Answer answer = completion.answer();
    if (completion.kind() == Kind.CHAT && answer.callsTool()) {
      ObjectNode message = choice.put("index", 0).putObject("message").put("role", "assistant").putNull("content");
      describeCall(message.putArray("tool_calls").addObject(), answer.call(), answer.call().argumentsJson());
      message.putNull("refusal");
    } else if (completion.kind() == Kind.CHAT) {
      choice.put("index", 0);
      choice.putObject("message").put("role", "assistant").put("content", answer.content()).putNull("refusal");
    } else {
      choice.put("text", answer.content()).put("index", 0);
    }
    choice.set("logprobs", logprobs(completion, answer.tokens(), 0));
    choice.put("finish_reason", finishReason(answer));
    body.set("usage", usage(completion));
    return body;
  }

  /**
   * Frames a stream as server-sent events: for chat a role chunk first, then one chunk per token,
   * a chunk with the finish reason, the usage chunk when asked for, and {@code [DONE]}. A tool call
   * streams as OpenAI's does: the role chunk also opens the call (id, name, empty arguments), and
   * each token is a piece of the arguments.
   */
  StreamFormat stream(Completion completion, boolean includeUsage) {
    return new StreamFormat() {
      /** Where the next token starts in the completion's text, for the legacy {@code text_offset}. */
      private int offset;

      @Override
      public String contentType() {
        return "text/event-stream";
      }

      @Override
      public List<byte[]> opening() {
        if (completion.kind() != Kind.CHAT) {
          return List.of();
        }
        ToolCall call = completion.answer().call();
        if (call != null) {
          return List.of(event(chunk(completion, includeUsage, null, choice -> {
            ObjectNode delta = choice.putObject("delta").put("role", "assistant").putNull("content");
            describeCall(toolCallDelta(delta), call, "");
            delta.putNull("refusal");
          })));
        }
        return List.of(event(chunk(completion, includeUsage, null,
            choice -> choice.putObject("delta").put("role", "assistant").put("content", ""))));
      }

      @Override
      public byte[] token(Token token) {
        if (completion.answer().callsTool()) {
          return event(chunk(completion, includeUsage, null,
              choice -> toolCallDelta(choice.putObject("delta")).putObject("function").put("arguments", token.text())));
        }
        ObjectNode logprobs = logprobs(completion, List.of(token), offset);
        offset += token.text().length();
        return event(chunk(completion, includeUsage, null, choice -> {
          content(completion.kind(), choice, token.text());
          choice.set("logprobs", logprobs);
        }));
      }

      @Override
      public List<byte[]> closing(Timings timings) {
        List<byte[]> frames = new ArrayList<>();
        String finishReason = finishReason(completion.answer());
        frames.add(event(chunk(completion, includeUsage, finishReason, choice -> {
          if (completion.kind() == Kind.CHAT) {
            choice.putObject("delta");
          } else {
            choice.put("text", "");
          }
        })));
        if (includeUsage) {
          ObjectNode usage = header(completion, completion.kind().chunkObject);
          usage.putArray("choices");
          usage.set("usage", usage(completion));
          frames.add(event(usage));
        }
        frames.add(DONE.getBytes(StandardCharsets.UTF_8));
        return frames;
      }
    };
  }

  /** @param base64 each vector as OpenAI sends it for {@code encoding_format: base64}: little-endian float32 */
  ObjectNode embeddings(String model, List<double[]> vectors, int promptTokens, boolean base64) {
    ObjectNode body = json.createObjectNode().put("object", "list");
    ArrayNode data = body.putArray("data");
    for (int i = 0; i < vectors.size(); i++) {
      ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
      if (base64) {
        ByteBuffer bytes = ByteBuffer.allocate(vectors.get(i).length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (double value : vectors.get(i)) {
          bytes.putFloat((float) value);
        }
        item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
        continue;
      }
      ArrayNode numbers = item.putArray("embedding");
      for (double value : vectors.get(i)) {
        numbers.add(value);
      }
    }
    body.put("model", model);
    body.putObject("usage").put("prompt_tokens", promptTokens).put("total_tokens", promptTokens);
    return body;
  }

  ObjectNode modelList(List<Model> models) {
    ObjectNode body = json.createObjectNode().put("object", "list");
    ArrayNode data = body.putArray("data");
    models.forEach(model -> data.add(model(model)));
    return body;
  }

  ObjectNode model(Model model) {
    return json.createObjectNode()
        .put("id", model.name())
        .put("object", "model")
        .put("created", MODELS_CREATED)
        .put("owned_by", "fake-ollama");
  }

  private ObjectNode header(Completion completion, String object) {
    return json.createObjectNode()
        .put("id", completion.id())
        .put("object", object)
        .put("created", completion.created())
        .put("model", completion.model());
  }

  /** A chunk with one choice; with include_usage every chunk but the last has {@code "usage": null}. */
  private ObjectNode chunk(
      Completion completion, boolean includeUsage, String finishReason, Consumer<ObjectNode> content) {
    ObjectNode chunk = header(completion, completion.kind().chunkObject);
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
    content.accept(choice);
    if (!choice.has("logprobs")) {
      choice.putNull("logprobs");
    }
    choice.put("finish_reason", finishReason);
    if (includeUsage) {
      chunk.putNull("usage");
    }
    return chunk;
  }

  /**
   * A choice's {@code logprobs} for {@code tokens}: null when none were asked for or the answer calls
   * a tool; chat's {@code {content, refusal}} or a completion's legacy lists otherwise.
   */
  private ObjectNode logprobs(Completion completion, List<Token> tokens, int offset) {
    if (completion.top() < 0 || completion.answer().callsTool()) {
      return null;
    }
    List<FakeLogprobs.Entry> entries = FakeLogprobs.entries(tokens, completion.top());
    return completion.kind() == Kind.CHAT
        ? FakeLogprobs.chat(json, entries)
        : FakeLogprobs.legacy(json, entries, offset);
  }

  /** OpenAI's own word for a stop that calls a tool. */
  private static String finishReason(Answer answer) {
    return answer.callsTool() ? "tool_calls" : answer.finishReason();
  }

  /** A call as OpenAI describes it: id, type, name and arguments; a stream opens it with no arguments yet. */
  private static void describeCall(ObjectNode entry, ToolCall call, String arguments) {
    entry.put("id", call.id()).put("type", "function").putObject("function")
        .put("name", call.name())
        .put("arguments", arguments);
  }

  /** The one entry of {@code delta.tool_calls}: the fake calls one tool at a time. */
  private static ObjectNode toolCallDelta(ObjectNode delta) {
    return delta.putArray("tool_calls").addObject().put("index", 0);
  }

  /** A token as chat sends it ({@code delta.content}) or as completions do ({@code text}). */
  private static void content(Kind kind, ObjectNode choice, String text) {
    if (kind == Kind.CHAT) {
      choice.putObject("delta").put("content", text);
    } else {
      choice.put("text", text);
    }
  }

  private ObjectNode usage(Completion completion) {
    int completionTokens = completion.answer().tokens().size();
    ObjectNode usage = json.createObjectNode()
        .put("prompt_tokens", completion.promptTokens())
        .put("completion_tokens", completionTokens)
        .put("total_tokens", completion.promptTokens() + completionTokens);
    int reasoningTokens = completion.answer().reasoningTokens();
    if (reasoningTokens > 0) { // as a reasoning model behind OpenAI, DeepSeek or OpenRouter counts them
      usage.putObject("completion_tokens_details").put("reasoning_tokens", reasoningTokens);
    }
    return usage;
  }

  private byte[] event(ObjectNode chunk) {
    return FakeBackend.frame(json, chunk, "data: ", "\n\n");
  }
}
