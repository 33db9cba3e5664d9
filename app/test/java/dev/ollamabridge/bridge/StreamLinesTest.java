package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.bridge.translate.Event;
import dev.ollamabridge.bridge.translate.UpstreamDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An upstream answer fed in chunks cut anywhere gives the same documents, in the same order, as
 * the answer read whole, and no line costs more memory than its limit.
 */
class StreamLinesTest {

  private static final String OPENAI_STREAM = """
      data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"fake-llama","choices":[{"index":0,"delta":{"role":"assistant","content":"Héllo"},"finish_reason":null}]}

      data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"fake-llama","choices":[{"index":0,"delta":{"content":" wörld, 日本 😀"},"finish_reason":null}]}

      data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"fake-llama","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}

      data: [DONE]

      """;

  private static final String OLLAMA_STREAM = """
      {"model":"fake-llama","created_at":"2024-05-01T10:00:00Z","message":{"role":"assistant","content":"Héllo"},"done":false}
      {"model":"fake-llama","created_at":"2024-05-01T10:00:00Z","message":{"role":"assistant","content":" wörld, 日本 😀"},"done":false}
      {"model":"fake-llama","created_at":"2024-05-01T10:00:01Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":5,"eval_count":3}""";

  private static final String OPENAI_WHOLE = """
      {"id":"chatcmpl-2","object":"chat.completion","created":1700000000,"model":"fake-llama",
       "choices":[{"index":0,"message":{"role":"assistant","content":"Héllo wörld, 日本 😀"},"finish_reason":"stop"}],
       "usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}
      """;

  enum RealAnswer {
    OPENAI_SSE(Dialect.OPENAI, "text/event-stream", OPENAI_STREAM),
    OLLAMA_NDJSON(Dialect.OLLAMA, "application/x-ndjson", OLLAMA_STREAM),
    OPENAI_JSON(Dialect.OPENAI, "application/json; charset=utf-8", OPENAI_WHOLE);

    final Dialect dialect;
    final String contentType;
    final byte[] bytes;

    RealAnswer(Dialect dialect, String contentType, String text) {
      this.dialect = dialect;
      this.contentType = contentType;
      this.bytes = text.getBytes(StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest
  @EnumSource(RealAnswer.class)
  void anAnswerCutAtAnyByteGivesTheSameDocumentsAsTheAnswerWhole(RealAnswer answer) {
    List<String> whole = read(answer.dialect, answer.contentType, answer.bytes);

    for (int cut = 0; cut <= answer.bytes.length; cut++) {
      Recorder documents = new Recorder();
      StreamLines lines = new StreamLines(answer.contentType, 1 << 20, UpstreamDecoder.of(answer.dialect), documents);
      lines.feed(answer.bytes, 0, cut);
      lines.feed(answer.bytes, cut, answer.bytes.length - cut);
      lines.finish();

      assertThat(documents.seen).as("cut at byte %d", cut).isEqualTo(whole);
    }
  }

  @ParameterizedTest
  @EnumSource(RealAnswer.class)
  void anAnswerFedByteByByteFromADirectBufferGivesTheSameDocuments(RealAnswer answer) {
    List<String> whole = read(answer.dialect, answer.contentType, answer.bytes);
    Recorder documents = new Recorder();
    StreamLines lines = new StreamLines(answer.contentType, 1 << 20, UpstreamDecoder.of(answer.dialect), documents);

    for (byte b : answer.bytes) {
      ByteBuffer direct = ByteBuffer.allocateDirect(1).put(b).flip();
      lines.feed(direct);
      assertThat(direct.hasRemaining()).isFalse();
    }
    lines.finish();

    assertThat(documents.seen).isEqualTo(whole);
  }

  @Test
  void anOpenAiStreamGivesEachChunkAsItsLineEndsAndEndsAtDone() {
    Recorder documents = new Recorder();
    StreamLines lines = new StreamLines("text/event-stream", 1 << 20, UpstreamDecoder.of(Dialect.OPENAI), documents);
    byte[] bytes = OPENAI_STREAM.getBytes(StandardCharsets.UTF_8);
    int firstLineEnd = OPENAI_STREAM.substring(0, OPENAI_STREAM.indexOf('\n') + 1).getBytes(StandardCharsets.UTF_8).length;

    lines.feed(bytes, 0, firstLineEnd);

    assertThat(documents.seen).singleElement().asString().startsWith("chunk").contains("Héllo");

    lines.feed(bytes, firstLineEnd, bytes.length - firstLineEnd);
    lines.feed("data: {\"after\":\"done\"}\n".getBytes(StandardCharsets.UTF_8), 0, 23);
    lines.finish();

    assertThat(lines.ended()).isTrue();
    assertThat(documents.seen).hasSize(4).noneMatch(seen -> seen.contains("after"));
    assertThat(documents.seen.get(1)).contains(" wörld, 日本 😀");
    assertThat(documents.seen.get(3)).startsWith("end").contains("finishReason=stop", "promptTokens=5");
  }

  @Test
  void anOllamaStreamWhoseLastLineHasNoNewlineEndsWithItAtFinish() {
    List<String> seen = read(Dialect.OLLAMA, "application/x-ndjson", OLLAMA_STREAM.getBytes(StandardCharsets.UTF_8));

    assertThat(seen).hasSize(4);
    assertThat(seen.get(2)).startsWith("chunk").contains("\"done\":true");
    assertThat(seen.get(3)).startsWith("end");
  }

  @Test
  void aWholeJsonAnswerIsOneDocumentHandedOnAtFinish() {
    Recorder documents = new Recorder();
    StreamLines lines = new StreamLines("Application/JSON", 1 << 20, UpstreamDecoder.of(Dialect.OPENAI), documents);
    byte[] bytes = OPENAI_WHOLE.getBytes(StandardCharsets.UTF_8);

    lines.feed(bytes, 0, bytes.length);
    assertThat(documents.seen).isEmpty();
    lines.finish();

    assertThat(documents.seen).singleElement().asString().startsWith("whole").contains("Héllo wörld, 日本 😀");
  }

  @Test
  void crlfLinesGiveTheSameDocumentsAsLfLines() {
    byte[] crlf = OPENAI_STREAM.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);

    assertThat(read(Dialect.OPENAI, "text/event-stream", crlf))
        .isEqualTo(read(Dialect.OPENAI, "text/event-stream", OPENAI_STREAM.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void commentsEventAndIdFieldsAndBlankLinesAreSkipped() {
    String stream = """
        : keep-alive

        event: message
        id: 7
        data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}
        \t
        data:[DONE]
        """;

    List<String> seen = read(Dialect.OPENAI, "text/event-stream", stream.getBytes(StandardCharsets.UTF_8));

    assertThat(seen).hasSize(2);
    assertThat(seen.get(0)).startsWith("chunk").contains("Hi");
    assertThat(seen.get(1)).isEqualTo("end " + UpstreamDecoder.of(Dialect.OPENAI).endOfStream(true));
  }

  @Test
  void aLineLongerThanTheLimitIsAStreamErrorBeforeMoreThanTheLimitIsKept() {
    StreamLines lines = new StreamLines("text/event-stream", 64, UpstreamDecoder.of(Dialect.OPENAI), new Recorder());
    byte[] line = ("data: {\"content\":\"" + "x".repeat(100) + "\"}").getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 64; i++) {
      lines.feed(line, i, 1);
    }

    assertThatThrownBy(() -> lines.feed(line, 64, 1)).isInstanceOf(UpstreamDecoder.StreamError.class)
        .hasMessage("the upstream sent a line longer than 64 bytes");
  }

  @Test
  void aLineOfExactlyTheLimitIsTakenAndOneByteMoreInOneChunkIsNot() {
    String document = "{\"content\":\"" + "x".repeat(50) + "\"}";
    assertThat(document).hasSize(64);

    Recorder documents = new Recorder();
    new StreamLines(null, 64, UpstreamDecoder.of(Dialect.OLLAMA), documents)
        .feed((document + "\n").getBytes(StandardCharsets.UTF_8), 0, 65);
    StreamLines tooLong = new StreamLines(null, 63, UpstreamDecoder.of(Dialect.OLLAMA), new Recorder());

    assertThat(documents.seen).singleElement().asString().startsWith("chunk");
    assertThatThrownBy(() -> tooLong.feed((document + "\n").getBytes(StandardCharsets.UTF_8), 0, 65))
        .isInstanceOf(UpstreamDecoder.StreamError.class).hasMessage("the upstream sent a line longer than 63 bytes");
  }

  @Test
  void aWholeJsonAnswerLongerThanTheLimitIsAStreamError() {
    StreamLines lines = new StreamLines("application/json", 64, UpstreamDecoder.of(Dialect.OPENAI), new Recorder());
    byte[] bytes = OPENAI_WHOLE.getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> lines.feed(bytes, 0, bytes.length)).isInstanceOf(UpstreamDecoder.StreamError.class)
        .hasMessage("the upstream sent a JSON answer longer than 64 bytes");
  }

  @Test
  void aChunkThatIsNotJsonOrNotAnObjectIsAStreamErrorQuotingIt() {
    StreamLines text = new StreamLines("text/event-stream", 1024, UpstreamDecoder.of(Dialect.OPENAI), new Recorder());
    StreamLines array = new StreamLines("application/x-ndjson", 1024, UpstreamDecoder.of(Dialect.OLLAMA), new Recorder());

    assertThatThrownBy(() -> text.feed("data: hello\n".getBytes(StandardCharsets.UTF_8), 0, 12))
        .isInstanceOf(UpstreamDecoder.StreamError.class).hasMessage("the upstream sent a chunk that is not JSON: hello");
    assertThatThrownBy(() -> array.feed("[1,2]\n".getBytes(StandardCharsets.UTF_8), 0, 6))
        .isInstanceOf(UpstreamDecoder.StreamError.class)
        .hasMessage("the upstream sent a chunk that is not a JSON object: [1,2]");
  }

  @Test
  void anEmptyStreamEndsWithoutDocumentsAndAnEmptyJsonAnswerIsAStreamError() {
    List<String> seen = read(Dialect.OLLAMA, "application/x-ndjson", new byte[0]);
    StreamLines emptyJson = new StreamLines("application/json", 1024, UpstreamDecoder.of(Dialect.OLLAMA), new Recorder());

    assertThat(seen).containsExactly("end " + UpstreamDecoder.of(Dialect.OLLAMA).endOfStream(false));
    assertThatThrownBy(emptyJson::finish).isInstanceOf(UpstreamDecoder.StreamError.class);
  }

  @Test
  void onlyAJsonSubtypeDeclaresOneJsonDocument() {
    assertThat(StreamLines.declaresJson("application/json")).isTrue();
    assertThat(StreamLines.declaresJson("application/json; charset=utf-8")).isTrue();
    assertThat(StreamLines.declaresJson("text/JSON")).isTrue();
    assertThat(StreamLines.declaresJson("application/x-ndjson")).isFalse();
    assertThat(StreamLines.declaresJson("application/problem+json")).isFalse();
    assertThat(StreamLines.declaresJson("text/event-stream")).isFalse();
    assertThat(StreamLines.declaresJson("json")).isFalse();
    assertThat(StreamLines.declaresJson(null)).isFalse();
  }

  private static List<String> read(Dialect dialect, String contentType, byte[] bytes) {
    Recorder documents = new Recorder();
    StreamLines lines = new StreamLines(contentType, 1 << 20, UpstreamDecoder.of(dialect), documents);
    lines.feed(bytes, 0, bytes.length);
    lines.finish();
    return documents.seen;
  }

  /** Each document handed on, as text with its events. */
  private static final class Recorder implements UpstreamStream.Documents {
    final List<String> seen = new ArrayList<>();

    @Override
    public void chunk(ObjectNode document, List<Event> events) {
      seen.add("chunk " + document + " " + events);
    }

    @Override
    public void whole(ObjectNode document, Answer answer) {
      seen.add("whole " + document + " " + answer);
    }

    @Override
    public void end(List<Event> events) {
      seen.add("end " + events);
    }
  }
}
