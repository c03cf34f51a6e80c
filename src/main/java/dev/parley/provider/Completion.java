package dev.parley.provider;

/**
 * A model's finished answer: its text and why it stopped ({@code stop}, {@code length}, or the vendor's
 * own word for anything else). What it spent is in the attempt's {@link Meter}.
 */
public record Completion(String content, String finishReason) {
}
