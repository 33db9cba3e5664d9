package dev.ollamabridge.console.supervise;

import java.util.ArrayList;
import java.util.List;

/** Remembers every change it is told of, in order. */
final class RecordingListener implements StateListener {

  record Change(ProgramStatus from, ProgramStatus to) {}

  private final List<Change> changes = new ArrayList<>();

  @Override
  public synchronized void changed(ProgramStatus from, ProgramStatus to) {
    changes.add(new Change(from, to));
  }

  synchronized List<Change> changes() {
    return List.copyOf(changes);
  }

  /** The states entered, in order. */
  synchronized List<ProcessState> states() {
    return changes.stream().map(change -> change.to().state()).toList();
  }
}
