package dev.ollamabridge.console.hosts;

import dev.ollamabridge.link.LinkMessage;

/** The open WebSocket of one agent, as the console sends on it. */
public interface AgentLink {

  void send(LinkMessage message);

  /** Closes it with a code and a reason the agent prints (at most 123 bytes). */
  void close(int code, String reason);
}
