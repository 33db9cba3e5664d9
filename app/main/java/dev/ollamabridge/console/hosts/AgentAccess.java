package dev.ollamabridge.console.hosts;

import dev.ollamabridge.pki.CertificateAuthority;

/**
 * How agents reach this console, when its agent listener is on.
 *
 * @param url the https URL agents dial ({@code --agent-url}, else the listener's address)
 * @param ca the console's CA, which signs the hosts' certificates and whose fingerprint the join command carries
 */
public record AgentAccess(String url, CertificateAuthority ca) {}
