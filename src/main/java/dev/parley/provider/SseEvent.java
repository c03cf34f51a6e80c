package dev.parley.provider;

/** One server-sent event: its type ({@code message} when unnamed), its data lines joined by LF, its id. */
public record SseEvent(String event, String data, String id) {
}
