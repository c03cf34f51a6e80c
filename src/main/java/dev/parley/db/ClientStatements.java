package dev.parley.db;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@link Statements} through the Vert.x SQL client (a transaction's connection on PostgreSQL). */
final class ClientStatements implements Statements {

  private final SqlClient client;

  ClientStatements(SqlClient client) {
    this.client = client;
  }

  @Override
  public Future<Void> batch(String template, List<Map<String, Object>> rows) {
    return rows.isEmpty() ? Future.succeededFuture()
        : Templates.forUpdate(client, template).executeBatch(rows).mapEmpty();
  }

  @Override
  public Future<List<JsonObject>> query(String template, Map<String, Object> params) {
    return Templates.forQuery(client, template).execute(params).map(rows -> {
      List<JsonObject> answered = new ArrayList<>(rows.size());
      for (Row row : rows) {
        answered.add(row.toJson());
      }
      return answered;
    });
  }
}
