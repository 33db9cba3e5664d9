package dev.ollamabridge.console.web;

import dev.ollamabridge.console.nginx.Revision;
import java.util.List;

/**
 * One nginx revision: its text, what {@code nginx -t} said, and its diff against another.
 *
 * @param against {@code previous} (the revision recorded before it) or {@code applied} (the one nginx serves)
 * @param againstName what the diff starts from, e.g. {@code revision 4}
 * @param diff the unified diff; empty: the same lines
 * @param canRollback whether the console applies configurations, so this one can be applied again
 * @param differences how its servers differ from the instances now, which a rollback asks to confirm; empty: they match
 * @param refused whether a rollback to it was just refused because the differences were not confirmed
 */
public record RevisionPage(Layout layout, Revision revision, String against, String againstName, String diff,
    boolean canRollback, boolean serving, List<String> differences, boolean refused) {}
