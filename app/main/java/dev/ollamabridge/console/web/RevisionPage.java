package dev.ollamabridge.console.web;

import dev.ollamabridge.console.nginx.Revision;

/**
 * One nginx revision: its text, what {@code nginx -t} said, and its diff against another.
 *
 * @param against {@code previous} (the revision recorded before it) or {@code applied} (the one nginx serves)
 * @param againstName what the diff starts from, e.g. {@code revision 4}
 * @param diff the unified diff; empty: the same lines
 * @param canRollback whether the console applies configurations, so this one can be applied again
 */
public record RevisionPage(Layout layout, Revision revision, String against, String againstName, String diff,
    boolean canRollback, boolean serving) {}
