package dev.parley.rag;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * When the in-process embedding model (ONNX Runtime with all-MiniLM-L6-v2: tens of MB of native memory, see
 * docs/performance.md) is loaded, from {@code rag.preload_model}:
 * <ul>
 *   <li>{@code true}: at start, in the background;</li>
 *   <li>{@code false}: on first use;</li>
 *   <li>{@code "auto"} (the default): at start, in the background, when this node's knowledge holds a document or a
 *   stored answer, and otherwise on first use. Only those need the model on a visitor's turn: a search of a bot
 *   without documents and a turn of a bot without stored answers embed nothing. The first use on a node without
 *   either is an operator's first document (its ingestion runs in the background anyway), stored answer or grouping,
 *   which then waits about a second for the model; a visitor's search never does.</li>
 * </ul>
 */
enum ModelPreload {
  AT_START, ON_FIRST_USE, AUTO;

  /** The setting of {@code rag.preload_model}: a boolean, {@code "auto"}, or nothing (auto). */
  static ModelPreload from(Object setting) {
    if (setting == null) {
      return AUTO;
    }
    String text = setting.toString().strip().toLowerCase(java.util.Locale.ROOT);
    switch (text) {
      case "true":
        return AT_START;
      case "false":
        return ON_FIRST_USE;
      case "auto":
        return AUTO;
      default:
        throw new IllegalArgumentException("rag.preload_model must be true, false or \"auto\", not " + setting);
    }
  }

  /** Whether to load the model at start; {@code hasKnowledge} is asked only when {@link #AUTO}. */
  Future<Boolean> atStart(Supplier<Future<Boolean>> hasKnowledge) {
    switch (this) {
      case AT_START:
        return Future.succeededFuture(true);
      case ON_FIRST_USE:
        return Future.succeededFuture(false);
      default:
        return hasKnowledge.get();
    }
  }
}
