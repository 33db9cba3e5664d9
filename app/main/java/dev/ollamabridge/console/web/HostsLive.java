package dev.ollamabridge.console.web;

import dev.ollamabridge.console.hosts.JoinTokens;
import java.util.List;

/**
 * The part of the Hosts page that refreshes itself every few seconds: the hosts and the join tokens
 * not yet used, with the session's CSRF token for their Revoke forms.
 */
public record HostsLive(List<HostRow> rows, List<JoinTokens.Pending> pending, String csrfToken) {}
