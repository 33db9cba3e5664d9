package dev.ollamabridge.console.web;

import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceConflict;
import dev.ollamabridge.console.instances.InstanceNotFound;
import dev.ollamabridge.console.instances.InstanceService;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.nginx.NginxRefusal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One action on the instances selected on the dashboard: each instance in turn, through the same
 * service calls as its own buttons; one failing does not stop the others, and the outcome names each.
 *
 * @param verb start, stop, restart or remove
 * @param ids the selected instances' ids, each once
 */
record BulkAction(String verb, List<Long> ids) {

  private static final List<String> VERBS = List.of("start", "stop", "restart", "remove");
  private static final int MAX_IDS = 10_000;

  /** The action the form fields name; a field outside its rule is a 400 naming it. */
  static BulkAction read(String verb, List<String> ids) {
    if (verb == null || !VERBS.contains(verb)) {
      throw new InvalidInput("action", "action must be one of " + VERBS);
    }
    if (ids.isEmpty()) {
      throw new InvalidInput("id", "select at least one instance");
    }
    if (ids.size() > MAX_IDS) {
      throw new InvalidInput("id", "at most " + MAX_IDS + " instances at once");
    }
    Set<Long> parsed = new LinkedHashSet<>();
    for (String id : ids) {
      if (!id.matches("\\d{1,18}")) {
        throw new InvalidInput("id", "each id is an instance's number, not '" + abbreviated(id) + "'");
      }
      parsed.add(Long.parseLong(id));
    }
    return new BulkAction(verb, List.copyOf(parsed));
  }

  /** Does it to each instance and says what became of each. */
  Outcome run(InstanceService instances, String actor) {
    List<String> done = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (long id : ids) {
      String name = "instance " + id;
      try {
        Instance instance = instances.get(id);
        name = instance.name();
        switch (verb) {
          case "start" -> instances.start(id, actor);
          case "stop" -> instances.stop(id, actor);
          case "restart" -> instances.restart(id, actor);
          default -> instances.delete(id, instance.version(), actor);
        }
        done.add(name);
      } catch (InvalidInput | InstanceConflict | InstanceNotFound | NginxRefusal e) {
        refused.add(name + ": " + e.getMessage());
      }
    }
    String notice = done.isEmpty() ? null : past() + " " + done.size() + " of " + ids.size() + ": " + String.join(", ", done) + ".";
    String problem = refused.isEmpty() ? null : "Not " + past().toLowerCase(java.util.Locale.ROOT) + ": "
        + String.join("; ", refused) + ".";
    return new Outcome(notice, problem, null);
  }

  private String past() {
    return switch (verb) {
      case "start" -> "Started";
      case "stop" -> "Stopped";
      case "restart" -> "Restarted";
      default -> "Removed";
    };
  }

  private static String abbreviated(String value) {
    return value.length() > 20 ? value.substring(0, 20) + "…" : value;
  }
}
