package dev.parley.audit;

import dev.parley.common.Addresses;
import dev.parley.common.BusHandlers;
import dev.parley.common.SecretBox;
import dev.parley.db.Database;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Owns the audit log (table {@code audit_log}): who changed what through the admin API, when, from where, and the
 * fields they changed with secrets redacted. Deployed with the {@code bot} role, after {@code BotVerticle}.
 *
 * <table>
 *   <caption>Addresses consumed</caption>
 *   <tr><td>{@code parley.audit.record}</td><td>{@code {actor: {kind, user_id?, token_id?, email?, name?, role?, …},
 *   action, target_type?, target_id?, bot_id?, request_id?, client_address?, status?, outcome?: success|failure,
 *   changes?: {…}}}</td><td>the stored entry {@code {id, at, …}}, once stored; 400 {@code invalid_entry} naming the
 *   field</td></tr>
 *   <tr><td>{@code parley.audit.query}</td><td>{@code {actor?, action? (name or prefix.*), target? (id or
 *   type:id), bot_id?, since?, until? (epoch ms), limit? (1..200, 50), cursor?}}</td><td>{@code {entries:[…],
 *   next_cursor}} newest first, {@code next_cursor} null on the last page; 400 {@code invalid_parameter},
 *   400 {@code invalid_cursor}</td></tr>
 * </table>
 *
 * <p>Append-only: no address updates or deletes an entry, and the database refuses UPDATE and DELETE on the table
 * (triggers, migration V010). A retention job must leave it alone. Cursors are signed with a key derived from the
 * master key ({@code secret_key}), so every node of a cluster accepts the cursors of the others.
 */
public class AuditVerticle extends VerticleBase {

  private static final String CURSOR_KEY_PURPOSE = "parley audit cursor v1";

  private Database database;

  @Override
  public Future<?> start() {
    return Future.all(
            Database.open(vertx, config().getJsonObject("database"), config().getString("data_dir", "./data")),
            SecretBox.load(vertx, config()))
        .compose(ready -> {
          database = ready.resultAt(0);
          SecretBox box = ready.resultAt(1);
          AuditLog log = new AuditLog(database.pool(), new AuditCursor(box.derive(CURSOR_KEY_PURPOSE)),
              System::currentTimeMillis);
          return Future.all(
              BusHandlers.register(vertx, Addresses.AUDIT_RECORD, log::record),
              BusHandlers.register(vertx, Addresses.AUDIT_QUERY, log::query));
        });
  }

  @Override
  public Future<?> stop() {
    return database == null ? Future.succeededFuture() : database.close();
  }
}
