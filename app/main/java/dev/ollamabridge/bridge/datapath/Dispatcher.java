package dev.ollamabridge.bridge.datapath;

import io.netty.handler.codec.http.HttpRequest;

/**
 * Decides what becomes of each request the data path has read whole: it answers the
 * {@link ClientCall} itself, sends it upstream, or hands it to a thread of its own. Runs on the
 * call's event loop: it must not block.
 */
@FunctionalInterface
public interface Dispatcher {

  void dispatch(ClientCall call);

  /**
   * Whether the request {@code head} begins is dispatched at once, its body handed on as it arrives
   * ({@link ClientCall#requestStream()}) instead of read whole first: for a body that may be larger
   * than memory, which {@code --max-body-bytes} and the body deadline then do not bound.
   */
  default boolean streamsBody(HttpRequest head) {
    return false;
  }

  /** Every request to the backend as it came, but for {@code forwarding}'s rewrite, and its answer back as it comes. */
  static Dispatcher passThrough(Forwarding forwarding) {
    return call -> call.passThrough(forwarding);
  }
}
