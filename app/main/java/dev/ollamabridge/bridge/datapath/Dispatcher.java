package dev.ollamabridge.bridge.datapath;

/**
 * Decides what becomes of each request the data path has read whole: it answers the
 * {@link ClientCall} itself, sends it upstream, or hands it to a thread of its own. Runs on the
 * call's event loop: it must not block.
 */
@FunctionalInterface
public interface Dispatcher {

  void dispatch(ClientCall call);

  /** Every request to the backend as it came, but for {@code forwarding}'s rewrite, and its answer back as it comes. */
  static Dispatcher passThrough(Forwarding forwarding) {
    return call -> call.passThrough(forwarding);
  }
}
