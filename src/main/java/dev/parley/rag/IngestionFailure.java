package dev.parley.rag;

/**
 * Why a document could not be ingested, in words safe to show an operator (stored in the
 * document's {@code error}). Never carries a library message verbatim.
 */
final class IngestionFailure extends RuntimeException {

  IngestionFailure(String reason) {
    super(reason, null, false, false);
  }
}
