package dev.parley.provider;

/**
 * A model's finished answer: its text, the tokens the vendor counted, and why it stopped
 * ({@code stop}, {@code length}, or the vendor's own word for anything else).
 */
public record Completion(String content, long inputTokens, long outputTokens, String finishReason) {
}
