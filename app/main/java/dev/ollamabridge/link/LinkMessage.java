package dev.ollamabridge.link;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * One text frame of the link, a JSON object whose {@code type} says which record it is. The console
 * sends {@link Desired} and {@link Request}; the agent sends {@link Report} and {@link Reply}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Desired.class, name = "desired"),
    @JsonSubTypes.Type(value = Report.class, name = "report"),
    @JsonSubTypes.Type(value = Request.class, name = "request"),
    @JsonSubTypes.Type(value = Reply.class, name = "reply")})
public sealed interface LinkMessage permits Desired, Report, Request, Reply {}
