package dev.ollamabridge.fake;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.cli.LogLevels;
import dev.ollamabridge.cli.Version;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ollama-bridge fake-ollama}: runs {@link FakeOllama} until the process is stopped. */
@Command(
    name = "fake-ollama",
    mixinStandardHelpOptions = true,
    versionProvider = Version.Provider.class,
    description = "Run a simulated LLM backend that speaks the Ollama and OpenAI APIs with deterministic answers.")
public final class FakeOllamaCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(FakeOllamaCommand.class);

  @Spec
  private CommandSpec spec;

  @Option(
      names = {"-l", "--listen"},
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:11434",
      converter = HostPort.Converter.class,
      description = "Address to listen on; port 0 picks a free one (default: ${DEFAULT-VALUE}).")
  private HostPort listen;

  @Option(
      names = "--dialect",
      paramLabel = "ollama|openai|both",
      defaultValue = "both",
      converter = Dialect.Converter.class,
      description = "Which APIs to serve; the others answer 404 (default: ${DEFAULT-VALUE}).")
  private Dialect dialect;

  @Option(
      names = "--models",
      paramLabel = "NAME",
      split = ",",
      defaultValue = "fake-llama,fake-r1",
      description = "Models the fake has; others get the dialect's 404 (default: ${DEFAULT-VALUE}).")
  private List<String> models;

  @Option(
      names = "--token-rate",
      paramLabel = "N",
      defaultValue = "0",
      description = "Tokens per second per stream; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
  private double tokenRate;

  @Option(
      names = "--tokens",
      paramLabel = "N",
      defaultValue = "24",
      description = "Answer length in tokens (default: ${DEFAULT-VALUE}).")
  private int tokens;

  @Option(names = "--think", description = "Start every answer with <think>…</think>, as DeepSeek-R1 does.")
  private boolean think;

  @Option(
      names = "--latency",
      paramLabel = "MS",
      defaultValue = "0",
      description = "Extra delay before the first token or a whole answer (default: ${DEFAULT-VALUE}).")
  private long latencyMs;

  @Option(
      names = "--error-rate",
      paramLabel = "F",
      defaultValue = "0",
      description = "Share 0.0-1.0 of generation/embedding requests that answer HTTP 500; 0.5 fails every"
          + " second one (default: ${DEFAULT-VALUE}).")
  private double errorRate;

  @Option(
      names = "--require-key",
      paramLabel = "KEY",
      description = "Answer 401 unless 'Authorization: Bearer KEY' is sent, like a cloud API.")
  private String requireKey;

  @Option(
      names = "--strict-tools",
      description = "Refuse tool messages that answer no tool call, and tool calls left unanswered, on"
          + " /v1/chat/completions with OpenAI's own 400, as OpenAI does.")
  private boolean strictTools;

  @Option(
      names = "--control-routes",
      description = "Serve the test hooks under /_fake/ (GET /_fake/stats, GET and POST /_fake/faults), never behind"
          + " a key: anyone who reaches them can read the traffic and take the fake down.")
  private boolean controlRoutes;

  @Option(
      names = "--ignore-logprobs",
      description = "Answer without log probabilities even when a request asks for them, as a backend without"
          + " them does.")
  private boolean ignoreLogprobs;

  @Option(
      names = "--die-after",
      paramLabel = "N",
      defaultValue = "0",
      description = "Halt the process in the middle of the N-th generation answer; 0 = never (default: ${DEFAULT-VALUE}).")
  private long dieAfter;

  @Option(names = {"-d", "--debug"}, description = "Log every request.")
  private boolean debug;

  @Override
  public Integer call() throws InterruptedException {
    LogLevels.apply(debug);
    FakeOllama.Options options;
    SuddenDeath death;
    try {
      options = new FakeOllama.Options(
          listen, dialect, models, tokenRate, tokens, think, latencyMs, errorRate, requireKey, strictTools,
          controlRoutes, !ignoreLogprobs);
      death = SuddenDeath.during(dieAfter, () -> {
        log.error("fake-ollama: --die-after {} reached, halting mid-answer", dieAfter);
        Runtime.getRuntime().halt(1);
      });
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    FakeOllama fake;
    try {
      fake = FakeOllama.start(options, death);
    } catch (RuntimeException e) {
      log.error("fake-ollama cannot listen on {}: {}", listen, e.getMessage());
      return 1;
    }
    log.info(
        "fake-ollama listening on http://{} (dialect {}, models {})",
        new HostPort(listen.host(), fake.port()),
        dialect,
        String.join(",", options.models()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      fake.close();
      stopped.countDown();
    }, "fake-ollama-shutdown"));
    stopped.await();
    return 0;
  }
}
