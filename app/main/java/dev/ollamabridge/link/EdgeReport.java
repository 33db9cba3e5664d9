package dev.ollamabridge.link;

/**
 * What an edge host's nginx does, in every report of its agent.
 *
 * @param served the revision nginx answers {@code /nginx-health} with right now (asked at report
 *     time), or null when it does not answer
 * @param servedSinceEpochMs when nginx began to serve that revision (0: unknown)
 * @param hash the revision of the last apply attempt, or null before any
 * @param result that attempt's result: {@code applied}, {@code rejected} ({@code nginx -t} refused it;
 *     the previous config keeps serving) or {@code failed} (reload or verify failed; the last good
 *     config was restored)
 * @param message one line saying what happened, e.g. why it failed
 * @param output {@code nginx -t}'s output of that attempt (bounded), or null
 * @param atEpochMs when that attempt ended
 * @param nginx the nginx binary and version the agent runs, e.g. {@code /usr/sbin/nginx 1.22.1}, or
 *     null when the host has none
 */
public record EdgeReport(String served, long servedSinceEpochMs, String hash, String result, String message,
    String output, long atEpochMs, String nginx) {}
