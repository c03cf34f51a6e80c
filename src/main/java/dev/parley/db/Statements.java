package dev.parley.db;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * The statements of one transaction of {@link Database#inStatements}, written with {@code #{name}} parameters as
 * for {@link Templates}. On PostgreSQL they go through the Vert.x SQL client; on SQLite they run straight on the
 * JDBC connection, on the one worker thread that runs the whole transaction, so each answers an already-completed
 * future and work that waits on anything else cannot be written with them.
 */
public interface Statements {

  /** Runs {@code template} once per entry of {@code rows}, in one batch; nothing when there are none. */
  Future<Void> batch(String template, List<Map<String, Object>> rows);

  /** The rows {@code template} answers, each as a JSON object by column name. */
  Future<List<JsonObject>> query(String template, Map<String, Object> params);
}
