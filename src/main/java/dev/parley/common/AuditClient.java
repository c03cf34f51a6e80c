package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Sender side of the audit log ({@code parley.audit.*}); one per verticle, the request id passed per call. Its
 * requests get the bot component's timeout ({@code timeouts.bot_ms}): the audit log lives with the bots.
 */
public final class AuditClient {

  private final Bus bus;
  private final long timeoutMs;

  public AuditClient(Bus bus, Timeouts timeouts) {
    this.bus = bus;
    this.timeoutMs = timeouts.botMs();
  }

  /** Stores one entry (see {@link Addresses#AUDIT_RECORD}); completes with it once it is stored. */
  public Future<JsonObject> record(String requestId, JsonObject entry) {
    return bus.request(requestId, Addresses.AUDIT_RECORD, entry, timeoutMs);
  }

  /** One page of entries, newest first (see {@link Addresses#AUDIT_QUERY}). */
  public Future<JsonObject> query(String requestId, JsonObject filters) {
    return bus.request(requestId, Addresses.AUDIT_QUERY, filters, timeoutMs);
  }
}
