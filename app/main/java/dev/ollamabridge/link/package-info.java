/**
 * The link between an agent and the console: what the agent sends to join, and the JSON frames
 * both ends exchange over the WebSocket the agent dials ({@link LinkMessage}). Shared by both
 * roles, so that neither can drift from the other.
 */
package dev.ollamabridge.link;
