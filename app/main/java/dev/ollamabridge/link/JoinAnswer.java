package dev.ollamabridge.link;

/**
 * The console's answer to a join.
 *
 * @param host the name the token was made for, which the agent is from now on
 * @param certificate the host's client certificate, PEM
 * @param ca the console's CA certificate, PEM: the only one the agent trusts from now on
 */
public record JoinAnswer(String host, String certificate, String ca) {}
