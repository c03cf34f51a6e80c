package dev.parley.chat;

import dev.parley.common.PiiRedactor;
import io.vertx.core.Future;

/**
 * For a bot whose {@code redact_pii} is {@code model}: the visitor's message with its e-mail addresses, phone
 * numbers, card numbers and IBANs replaced ({@link PiiRedactor}) before anything leaves with it: the knowledge-base
 * search (whose embeddings may be a remote model's), the model's request, the stored record and the event. The
 * history is redacted where it is read ({@link Context}); with {@code store}, only the record is ({@link TurnRecords}).
 */
final class RedactPii implements Step {

  @Override
  public Future<Turn> apply(Turn turn, Delivery delivery) {
    if (!turn.redaction().sentToModel()) {
      return Future.succeededFuture(turn);
    }
    return Future.succeededFuture(turn.withVisitor(turn.sessionId(), PiiRedactor.redact(turn.message())));
  }
}
