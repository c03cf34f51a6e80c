package dev.parley.db;

import dev.parley.testing.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The databases a test opened: fresh ones of either kind, closed and (PostgreSQL's) dropped after each test. Register
 * it with {@code @RegisterExtension}; the folder is asked for when a database opens (a {@code @TempDir} field is set
 * after the extension is made).
 */
final class OpenedDatabases implements AfterEachCallback {

  private final Supplier<Path> dataDir;
  private final List<String> postgres = new ArrayList<>();
  private final List<Database> opened = new ArrayList<>();

  OpenedDatabases(Supplier<Path> dataDir) {
    this.dataDir = dataDir;
  }

  /** The {@code database} config of a fresh database of the kind ({@code sqlite} or {@code postgres}). */
  JsonObject fresh(String kind) {
    if ("sqlite".equals(kind)) {
      return new JsonObject().put("file", "parley.db");
    }
    String name = TestPostgres.create();
    postgres.add(name);
    return new JsonObject().put("url", TestPostgres.url(name)).put("pool_size", 4);
  }

  Future<Database> open(Vertx vertx, JsonObject config) {
    return Database.open(vertx, config, dataDir.get().toString()).onSuccess(opened::add);
  }

  /** Closes every database opened here and drops the PostgreSQL ones made here. */
  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    for (Database database : opened) {
      database.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    postgres.forEach(TestPostgres::drop);
    opened.clear();
    postgres.clear();
  }
}
