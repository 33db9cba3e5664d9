package dev.ollamabridge.console.supervise;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands state changes to the listeners in the order they happened, and outside of any program's lock.
 * A change is recorded while its program's lock is held, which fixes its place in the queue; whoever
 * released a lock then delivers, one thread at a time, so listeners never see two changes at once.
 */
final class Transitions {

  private static final Logger log = LoggerFactory.getLogger(Transitions.class);

  private record Change(ProgramStatus from, ProgramStatus to) {}

  private final List<StateListener> listeners = new CopyOnWriteArrayList<>();
  private final Queue<Change> pending = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean delivering = new AtomicBoolean();

  void addListener(StateListener listener) {
    listeners.add(listener);
  }

  /** Called with the program's lock held. */
  void record(ProgramStatus from, ProgramStatus to) {
    log.info("{}: {} → {}{}{}", to.name(), from.state(), to.state(),
        to.pid() == null ? "" : " (pid " + to.pid() + ")",
        to.message() == null ? "" : ": " + to.message());
    pending.add(new Change(from, to));
  }

  /** Called with no lock held, after anything that may have recorded a change. */
  void deliver() {
    // a change recorded while another thread delivers is left to that thread, which looks again before leaving
    while (!pending.isEmpty() && delivering.compareAndSet(false, true)) {
      try {
        for (Change change = pending.poll(); change != null; change = pending.poll()) {
          notifyListeners(change);
        }
      } finally {
        delivering.set(false);
      }
    }
  }

  private void notifyListeners(Change change) {
    for (StateListener listener : listeners) {
      try {
        listener.changed(change.from(), change.to());
      } catch (RuntimeException e) {
        log.warn("a state listener failed on {} {} → {}", change.to().name(), change.from().state(),
            change.to().state(), e);
      }
    }
  }
}
