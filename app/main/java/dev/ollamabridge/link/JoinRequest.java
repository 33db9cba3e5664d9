package dev.ollamabridge.link;

/**
 * What an agent sends to join, once, with the one-time token the console's Add host made.
 *
 * @param token the join token, as shown on the Hosts page
 * @param advertise the address nginx and the console reach this host's bridges at
 * @param version the agent's version: an agent of another minor version is refused
 * @param csr a PKCS#10 certificate request in PEM; the console names the host itself (the CN it signs
 *     is the host name the token was made for, whatever the request asks)
 */
public record JoinRequest(String token, String advertise, String version, String csr) {}
