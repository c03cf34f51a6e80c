package dev.parley.testing;

import dev.parley.AppConfig;
import dev.parley.Main;
import dev.parley.MainVerticle;
import dev.parley.db.PostgresUrl;
import dev.parley.fake.FakeAnthropic;
import dev.parley.fake.FakeOpenAi;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole Parley (every role, real SQLite in a temp folder, or PostgreSQL under {@link OnPostgres})
 * against fake OpenAI and Anthropic servers on loopback, with a web client pointed at it.
 */
public final class TestApp {

  public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
  public static final String SECRET_KEY = "test master key for parley tests";

  public final Vertx vertx;
  public final FakeOpenAi openai;
  public final FakeAnthropic anthropic;
  public final WebClient client;
  public final int port;
  public final Path dataDir;
  public final JsonObject config;
  private String deploymentId;
  private Future<Void> stopped;

  private TestApp(Vertx vertx, FakeOpenAi openai, FakeAnthropic anthropic, int port, Path dataDir, JsonObject config) {
    this.vertx = vertx;
    this.openai = openai;
    this.anthropic = anthropic;
    this.port = port;
    this.dataDir = dataDir;
    this.config = config;
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  /** The {@code database} config of the test class being run, set by {@link TestPostgres}; null means SQLite. */
  private static volatile JsonObject databaseOverride;

  static void useDatabase(JsonObject config) {
    databaseOverride = config;
  }

  /** A Vert.x with the metrics options {@link Main} uses, for tests that read {@code /metrics}; close it after. */
  public static Vertx measuredVertx() {
    return Vertx.builder().with(Main.options()).build();
  }

  public static Future<TestApp> start(Vertx vertx, Path dataDir) {
    return start(vertx, dataDir, new JsonObject());
  }

  /**
   * Starts the fakes and Parley; {@code overrides} are deep-merged over the test config. In a test
   * class annotated {@link OnPostgres}, Parley runs on that class's fresh PostgreSQL database.
   */
  public static Future<TestApp> start(Vertx vertx, Path dataDir, JsonObject overrides) {
    return Future.all(FakeOpenAi.start(vertx), FakeAnthropic.start(vertx)).compose(fakes -> {
      FakeOpenAi openai = fakes.resultAt(0);
      FakeAnthropic anthropic = fakes.resultAt(1);
      int port = freePort();
      JsonObject config = config(dataDir, port, openai, anthropic);
      JsonObject current = databaseOverride;
      if (current != null) {
        config.getJsonObject("database").mergeIn(current.copy(), true);
      }
      config.mergeIn(overrides, true);
      return vertx.deployVerticle(new MainVerticle(), new DeploymentOptions().setConfig(config))
          .map(id -> {
            TestApp app = new TestApp(vertx, openai, anthropic, port, dataDir, config);
            app.deploymentId = id;
            return app;
          });
    });
  }

  public static JsonObject config(Path dataDir, int port, FakeOpenAi openai, FakeAnthropic anthropic) {
    JsonObject config = defaults();
    config.put("data_dir", dataDir.toString());
    config.put("public_url", "http://127.0.0.1:" + port);
    config.put("admin_token", ADMIN_TOKEN);
    config.put("secret_key", SECRET_KEY);
    config.getJsonObject("http").put("host", "127.0.0.1").put("port", port);
    // A visitor who leaves a stream stops the model at once in tests, as before the visitor channel: the tests of
    // a reload mid-answer (VisitorChannelTest) give the visitor a grace to come back.
    config.getJsonObject("http").put("reload_grace_ms", 0);
    // Bots made without provider or key talk to the fake OpenAI in tests; a fresh install would make them
    // extractive (no global key). Tests of that default override this with null.
    config.getJsonObject("bot").put("default_provider", "openai");
    // Tests chat far faster than visitors do: their bots are not throttled unless a test says so
    // (NewBotLimitsTest checks the shipped limits of new bots).
    config.getJsonObject("bot").put("new_bot_rate_limit", UNTHROTTLED.copy());
    // The embedding model loads on first use: most tests never need it, and a background load
    // would outlive a short test class.
    config.getJsonObject("rag").put("preload_model", false);
    JsonObject provider = config.getJsonObject("provider");
    provider.put("connect_timeout_ms", 2_000).put("idle_timeout_ms", 3_000).put("request_timeout_ms", 5_000)
        .put("backoff_initial_ms", 20).put("backoff_max_ms", 100);
    provider.getJsonObject("openai").put("base_url", openai.baseUrl());
    provider.getJsonObject("anthropic").put("base_url", anthropic.baseUrl());
    return config;
  }

  /** The {@code rate_limit} of a bot that answers every turn (a load test's). */
  public static final JsonObject UNTHROTTLED = new JsonObject().put("per_session_per_minute", 0)
      .put("per_address_per_minute", 0);

  /** conf/config.json as shipped. */
  public static JsonObject defaults() {
    return AppConfig.bundled();
  }

  public static int freePort() {
    // Below Linux's ephemeral range (32768 and up): a port the system hands out for port 0 may be taken
    // by some outgoing connection before the server that was meant to get it binds (seen in a CI run).
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20_000 + PORTS.nextInt(12_000);
      try (ServerSocket socket = new ServerSocket(port, 50, java.net.InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new UncheckedIOException(new IOException("No free port below the ephemeral range"));
  }

  private static final java.util.Random PORTS = new java.security.SecureRandom();

  /** A JDBC connection to the database this app runs on (its SQLite file, or PostgreSQL), for checks behind the API. */
  public Connection jdbc() throws SQLException {
    JsonObject database = config.getJsonObject("database", new JsonObject());
    String url = database.getString("url");
    if (url != null && !url.isBlank()) {
      return PostgresUrl.parse(url).dataSource().getConnection();
    }
    return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(database.getString("file", "parley.db")));
  }

  /** The number a {@code SELECT COUNT(*)} query answers, read behind the API. Blocking: call it off the event loop. */
  public long count(String sql) throws SQLException {
    try (Connection connection = jdbc(); ResultSet rows = connection.createStatement().executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /**
   * Everything the database holds, as text: the bytes of the SQLite file and its WAL, or on
   * PostgreSQL every row of every table. Blocking: call it off the event loop.
   */
  public String storedText() throws IOException, SQLException {
    JsonObject database = config.getJsonObject("database", new JsonObject());
    String url = database.getString("url");
    if (url == null || url.isBlank()) {
      Path file = dataDir.resolve(database.getString("file", "parley.db"));
      Path wal = Path.of(file + "-wal");
      byte[] db = Files.readAllBytes(file);
      byte[] log = Files.exists(wal) ? Files.readAllBytes(wal) : new byte[0];
      return new String(db, StandardCharsets.ISO_8859_1) + new String(log, StandardCharsets.ISO_8859_1);
    }
    StringBuilder all = new StringBuilder();
    try (Connection connection = jdbc(); Statement statement = connection.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")) {
        while (rows.next()) {
          tables.add(rows.getString(1));
        }
      }
      for (String table : tables) {
        try (ResultSet rows = statement.executeQuery("SELECT CAST(t AS TEXT) FROM \"" + table + "\" t")) {
          while (rows.next()) {
            all.append(rows.getString(1)).append('\n');
          }
        }
      }
    }
    return all.toString();
  }

  /**
   * Undeploys Parley and its fakes, so another app can start on the same data folder in the same Vert.x
   * (a process migrates each database once, on the Vert.x that opened it first). Stopping again answers the first stop.
   */
  public synchronized Future<Void> stop() {
    if (stopped == null) {
      client.close();
      stopped = vertx.undeploy(deploymentId).eventually(() -> Future.all(openai.close(), anthropic.close())).mapEmpty();
    }
    return stopped;
  }

  public HttpRequest<Buffer> admin(io.vertx.core.http.HttpMethod method, String path) {
    return client.request(method, path).putHeader("Authorization", "Bearer " + ADMIN_TOKEN);
  }

  /** Creates a bot through the admin API and returns it. */
  public Future<JsonObject> createBot(JsonObject fields) {
    return admin(io.vertx.core.http.HttpMethod.POST, "/api/bots").sendJsonObject(fields).map(response -> {
      if (response.statusCode() != 201) {
        throw new IllegalStateException("bot not created: " + response.statusCode() + " " + response.bodyAsString());
      }
      return response.bodyAsJsonObject();
    });
  }

  /**
   * Changes a bot's stored settings behind the API (as a bot stored by an older version, or before the server's
   * config changed, would be), and waits until chat lookups can no longer have the old one cached.
   */
  public Future<Void> storeBotSettings(String botId, java.util.function.UnaryOperator<JsonObject> change) {
    return vertx.executeBlocking(() -> {
      try (Connection connection = jdbc();
          java.sql.PreparedStatement read = connection.prepareStatement("SELECT config FROM bots WHERE id = ?");
          java.sql.PreparedStatement write = connection.prepareStatement("UPDATE bots SET config = ? WHERE id = ?")) {
        read.setString(1, botId);
        String stored;
        try (ResultSet rows = read.executeQuery()) {
          rows.next();
          stored = rows.getString(1);
        }
        write.setString(1, change.apply(new JsonObject(stored)).encode());
        write.setString(2, botId);
        write.executeUpdate();
        return null;
      }
    }).compose(v -> {
      vertx.eventBus().publish(dev.parley.common.Addresses.EVENTS_BOT_CHANGED,
          new JsonObject().put("bot_id", botId).put("action", "updated"));
      return Future.<Void>succeededFuture();
    });
  }

  public Future<HttpResponse<Buffer>> chat(String botId, JsonObject body) {
    return client.post("/api/chat/" + botId).sendJsonObject(body);
  }
}
