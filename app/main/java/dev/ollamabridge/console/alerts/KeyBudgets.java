package dev.ollamabridge.console.alerts;

import java.util.List;

/**
 * The client keys' use of their daily token budgets, which the key-budget rule reads at each of its
 * rounds. The console wires it to its keys and usage; a console without them has {@link #NONE}.
 */
@FunctionalInterface
public interface KeyBudgets {

  /** No key has a budget. */
  KeyBudgets NONE = List::of;

  /** Every key with a daily token budget (0 or less: none) and the tokens it used this UTC day. */
  List<KeyBudget> today();

  /** One key's use of its budget today. */
  record KeyBudget(String id, String name, long tokensUsedToday, long tokensPerDay) {}
}
