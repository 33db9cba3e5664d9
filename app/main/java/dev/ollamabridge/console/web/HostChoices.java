package dev.ollamabridge.console.web;

import dev.ollamabridge.console.hosts.HostService.HostView;
import dev.ollamabridge.console.hosts.HostState;
import java.util.ArrayList;
import java.util.List;

/** The hosts as the selects of the dashboard's filter and of the instance form offer them. */
final class HostChoices {

  private HostChoices() {}

  /**
   * Every host, {@code local} first, for the dashboard's filter (a revoked host may still hold
   * instances), and the one filtered by when it is no host (any more), so that the select says what the rows show.
   */
  static List<RowFilter.Choice> toFilter(List<HostView> hosts, String filtered) {
    List<RowFilter.Choice> choices = new ArrayList<>(hosts.stream().map(view -> new RowFilter.Choice(view.host().name(),
        "On " + view.host().name() + (view.host().state() == HostState.READY ? "" : " · " + view.host().state().word())))
        .toList());
    if (!filtered.isEmpty() && choices.stream().noneMatch(choice -> choice.value().equals(filtered))) {
      choices.add(new RowFilter.Choice(filtered, "On " + filtered + " (no such host)"));
    }
    return choices;
  }

  /**
   * The hosts a bridge may be put on, {@code local} first (the console's own machine), then each joined
   * host not revoked, with its state; and the instance's own host, whatever its state, so that the form
   * of an instance shows where it is.
   */
  static List<RowFilter.Choice> toPlace(List<HostView> hosts, String current) {
    List<RowFilter.Choice> choices = new ArrayList<>();
    for (HostView view : hosts) {
      String name = view.host().name();
      if (view.host().local()) {
        choices.add(new RowFilter.Choice(name, name + " (the console's own machine)"));
      } else if (view.host().state() != HostState.REVOKED || name.equals(current)) {
        choices.add(new RowFilter.Choice(name, name + " (" + view.host().state().word() + ", " + view.host().advertise() + ")"));
      }
    }
    if (current != null && !current.isEmpty() && choices.stream().noneMatch(choice -> choice.value().equals(current))) {
      choices.add(new RowFilter.Choice(current, current + " (not a known host)"));
    }
    return choices;
  }
}
