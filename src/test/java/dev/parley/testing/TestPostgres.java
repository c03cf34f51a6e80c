package dev.parley.testing;

import dev.parley.db.PostgresUrl;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Throwaway PostgreSQL databases on the test server: {@code postgres://postgres@127.0.0.1:5432/test}
 * unless {@code PARLEY_TEST_POSTGRES_URL} (environment or system property) names another. Each
 * database is {@code parley_test_<random>}, made through a JDBC connection to the server's own
 * database and dropped (with any connection still open) afterwards. As an extension
 * ({@link OnPostgres}) it gives every test class its own database.
 */
public final class TestPostgres implements BeforeAllCallback, AfterAllCallback {

  public static final String SERVER = System.getProperty("PARLEY_TEST_POSTGRES_URL",
      System.getenv().getOrDefault("PARLEY_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"));

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TestPostgres.class);

  /** Creates a fresh, empty database and returns its name. */
  public static String create() {
    String name = "parley_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    execute("CREATE DATABASE " + name);
    return name;
  }

  /** Drops the database, closing whatever connections to it are still open. */
  public static void drop(String name) {
    execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  /** The URL Parley connects to database {@code name} with (the server's user, password and options). */
  public static String url(String name) {
    int slash = SERVER.indexOf('/', SERVER.indexOf("://") + 3);
    int query = SERVER.indexOf('?');
    return SERVER.substring(0, slash) + "/" + name + (query < 0 ? "" : SERVER.substring(query));
  }

  private static void execute(String sql) {
    try (Connection connection = PostgresUrl.parse(SERVER).dataSource().getConnection();
         Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL tests need a server at " + PostgresUrl.parse(SERVER)
          + " (set PARLEY_TEST_POSTGRES_URL to use another): " + e.getMessage(), e);
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    prepare(context);
  }

  /** Gives the test class its database, once ({@link ParleyExtension} may ask before this extension's turn). */
  static void prepare(ExtensionContext context) {
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    if (store.get("database") == null) {
      String name = create();
      store.put("database", name);
      TestApp.useDatabase(new JsonObject().put("url", url(name)));
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    TestApp.useDatabase(null);
    String name = context.getStore(NAMESPACE).remove("database", String.class);
    if (name != null) {
      drop(name);
    }
  }
}
