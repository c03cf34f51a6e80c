package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.testing.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppConfigTest {

  @TempDir
  Path dir;

  @Test
  void a_config_file_that_is_not_valid_json_stops_the_start_and_says_which_file_without_its_content() throws Exception {
    Path file = Files.writeString(dir.resolve("config.json"), "{\"admin_token\": \"tok-secret-1234\", \"roles\": [\"http\" tok-secret-5678");

    Throwable failure = loadFailure(file.toString());

    assertThat(failure).as("the start fails").isNotNull();
    assertThat(failure.getMessage()).contains(file.toString(), "is not valid JSON (line 1, column").doesNotContain("tok-secret");
  }

  @Test
  void a_config_file_named_by_parley_config_must_exist() throws Exception {
    Throwable failure = loadFailure(dir.resolve("missing.json").toString());

    assertThat(failure).isNotNull();
    assertThat(failure.getMessage()).contains("The config file", "missing.json");
  }

  @Test
  void a_variable_that_is_not_a_number_is_named_and_not_blamed_on_the_config_file() throws Exception {
    Path file = Files.writeString(dir.resolve("config.json"), "{\"roles\": [\"http\"]}");
    System.setProperty("PARLEY_SMTP_PORT", "25x");
    try {
      Throwable failure = loadFailure(file.toString());

      assertThat(failure).isNotNull();
      assertThat(failure.getMessage()).isEqualTo("PARLEY_SMTP_PORT must be a whole number");
    } finally {
      System.clearProperty("PARLEY_SMTP_PORT");
    }
  }

  @Test
  void a_number_given_as_a_string_in_the_config_file_stops_the_start_naming_its_key() throws Exception {
    Path file = Files.writeString(dir.resolve("config.json"), "{\"rag\": {\"commit_interval_ms\": \"100\"}}");

    Throwable failure = loadFailure(file.toString());

    assertThat(failure).as("the start fails").isNotNull();
    assertThat(failure.getMessage()).isEqualTo("Config key rag.commit_interval_ms must be a number, not a string");
  }

  @Test
  void a_key_set_to_null_in_the_config_file_takes_its_default() throws Exception {
    Path file = Files.writeString(dir.resolve("config.json"),
        "{\"roles\": [\"http\"], \"memory\": {\"history_cache_mb\": null}, \"data_dir\": null}");
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = AppConfig.load(vertx, file.toString()).await(10, TimeUnit.SECONDS);

      assertThat(config.getJsonObject("memory").getLong("history_cache_mb", 64L)).isEqualTo(64L);
      assertThat(config.getString("data_dir", "./data")).isEqualTo("./data");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void every_variable_given_in_its_documented_form_passes_the_checks_of_the_config() {
    JsonObject variables = new JsonObject()
        .put("PARLEY_PORT", "9100").put("PARLEY_HOST", "127.0.0.1")
        .put("PARLEY_TRUSTED_PROXIES", "10.0.0.0/8, 10.1.0.1").put("PARLEY_PUBLIC_URL", "https://chat.example.com")
        .put("PARLEY_DATA_DIR", "/var/lib/parley").put("PARLEY_ADMIN_TOKEN", "admin-secret")
        .put("PARLEY_ADMIN_TOKEN_DISABLED", "TRUE").put("PARLEY_SECRET_KEY", "master-secret")
        .put("PARLEY_DATABASE_URL", "postgres://p:pw@db/parley").put("PARLEY_DATABASE_POOL_SIZE", "4")
        .put("PARLEY_DB_SYNCHRONOUS", "FULL").put("PARLEY_DB_BUSY_TIMEOUT_MS", "5000")
        .put("PARLEY_OIDC_ISSUER", "https://login.example.com").put("PARLEY_OIDC_CLIENT_ID", "parley")
        .put("PARLEY_OIDC_CLIENT_SECRET", "oidc-secret").put("PARLEY_ROLES", "http,bot")
        .put("PARLEY_CLUSTER_HOST", "10.0.0.2").put("PARLEY_CLUSTER_PORT", "5702")
        .put("PARLEY_CLUSTER_MEMBERS", "10.0.0.1").put("OPENAI_API_KEY", "sk-openai")
        .put("OPENAI_BASE_URL", "http://localhost:11434/v1").put("ANTHROPIC_API_KEY", "sk-ant")
        .put("ANTHROPIC_BASE_URL", "https://proxy.example.com").put("PARLEY_PROVIDER_HTTP2", "false")
        .put("PARLEY_EMBEDDINGS_PROVIDER", "openai").put("PARLEY_EMBEDDINGS_MODEL", "text-embedding-3-small")
        .put("PARLEY_EMBEDDINGS_BASE_URL", "https://e.example.com").put("PARLEY_EMBEDDINGS_API_KEY", "sk-embed")
        .put("PARLEY_EMBEDDINGS_DIMENSIONS", "256").put("PARLEY_EMBEDDINGS_BATCH", "32")
        .put("PARLEY_SMTP_HOST", "smtp.example.com").put("PARLEY_SMTP_PORT", "587")
        .put("PARLEY_SMTP_USERNAME", "parley").put("PARLEY_SMTP_PASSWORD", "smtp-secret")
        .put("PARLEY_SMTP_TLS", "tls").put("PARLEY_MAIL_FROM", "parley@example.com");
    assertThat(variables.fieldNames()).as("every variable").isEqualTo(AppConfig.VARIABLES.keySet());

    JsonObject config = ConfigChecks.verified(AppConfig.resolve(TestApp.defaults().mergeIn(variables)),
        AppConfig.bundled());

    assertThat(config.getJsonObject("database").getValue("busy_timeout_ms")).isEqualTo(5000);
    assertThat(config.getJsonObject("http").getValue("admin_token_disabled")).isEqualTo(true);
  }

  @Test
  void a_variable_that_is_not_a_whole_number_is_named_where_a_number_is_expected() {
    assertThatThrownBy(() -> AppConfig.resolve(TestApp.defaults().put("PARLEY_DB_BUSY_TIMEOUT_MS", "5s")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("PARLEY_DB_BUSY_TIMEOUT_MS must be a whole number");
  }

  @Test
  void a_variable_that_is_neither_true_nor_false_is_named_where_a_boolean_is_expected() {
    assertThatThrownBy(() -> AppConfig.resolve(TestApp.defaults().put("PARLEY_PROVIDER_HTTP2", "yes")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("PARLEY_PROVIDER_HTTP2 must be true or false");
  }

  @Test
  void a_valid_config_file_is_read() throws Exception {
    Path file = Files.writeString(dir.resolve("config.json"), "{\"roles\": [\"http\", \"bot\"]}");
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = AppConfig.load(vertx, file.toString()).await(10, TimeUnit.SECONDS);

      assertThat(config.getJsonArray("roles")).containsExactly("http", "bot");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void variables_land_at_their_documented_place_in_the_tree() {
    JsonObject merged = TestApp.defaults()
        .put("PARLEY_PORT", "9100")
        .put("PARLEY_HOST", "127.0.0.1")
        .put("PARLEY_PUBLIC_URL", "https://chat.example.com")
        .put("PARLEY_DATA_DIR", "/var/lib/parley")
        .put("PARLEY_ADMIN_TOKEN", "admin-secret")
        .put("PARLEY_SECRET_KEY", "master-secret")
        .put("PARLEY_ROLES", "http, bot")
        .put("PARLEY_CLUSTER_MEMBERS", "10.0.0.1,10.0.0.2")
        .put("OPENAI_API_KEY", "sk-openai")
        .put("OPENAI_BASE_URL", "http://localhost:11434/v1")
        .put("ANTHROPIC_API_KEY", "sk-ant")
        .put("ANTHROPIC_BASE_URL", "https://proxy.example.com")
        .put("PATH", "/usr/bin")
        .put("java.version", "17");
    JsonObject config = AppConfig.resolve(merged);
    assertThat(config.getJsonObject("http").getInteger("port")).isEqualTo(9100);
    assertThat(config.getJsonObject("http").getString("host")).isEqualTo("127.0.0.1");
    assertThat(config.getJsonObject("http").getInteger("instances")).isEqualTo(2);
    assertThat(config.getString("public_url")).isEqualTo("https://chat.example.com");
    assertThat(config.getString("data_dir")).isEqualTo("/var/lib/parley");
    assertThat(config.getString("admin_token")).isEqualTo("admin-secret");
    assertThat(config.getString("secret_key")).isEqualTo("master-secret");
    assertThat(config.getJsonArray("roles")).isEqualTo(new JsonArray().add("http").add("bot"));
    assertThat(config.getJsonObject("cluster").getJsonArray("members")).containsExactly("10.0.0.1", "10.0.0.2");
    JsonObject provider = config.getJsonObject("provider");
    assertThat(provider.getJsonObject("openai").getString("api_key")).isEqualTo("sk-openai");
    assertThat(provider.getJsonObject("openai").getString("base_url")).isEqualTo("http://localhost:11434/v1");
    assertThat(provider.getJsonObject("anthropic").getString("api_key")).isEqualTo("sk-ant");
    assertThat(provider.getJsonObject("anthropic").getString("base_url")).isEqualTo("https://proxy.example.com");
    assertThat(provider.getJsonObject("anthropic").getString("version")).isEqualTo("2023-06-01");
    assertThat(config.containsKey("PATH")).isFalse();
    assertThat(config.containsKey("java.version")).isFalse();
  }

  @Test
  void each_component_gets_its_own_object_and_the_shared_keys() {
    JsonObject config = AppConfig.resolve(TestApp.defaults().put("PARLEY_SECRET_KEY", "k"));
    JsonObject memory = AppConfig.forComponent(config, "memory");
    assertThat(memory.getInteger("instances")).isEqualTo(1);
    assertThat(memory.getString("data_dir")).isEqualTo("./data");
    assertThat(memory.getString("secret_key")).isEqualTo("k");
    assertThat(memory.getJsonObject("database").getString("synchronous")).isEqualTo("NORMAL");
    assertThat(memory.getJsonObject("timeouts").getLong("memory_ms")).isEqualTo(10_000L);
    assertThat(memory.containsKey("http")).isFalse();
  }

  @Test
  void oidc_variables_configure_single_sign_on_which_only_the_http_component_gets() {
    JsonObject file = TestApp.defaults().put("sso", new JsonObject().put("oidc", new JsonObject()
        .put("issuer", "https://from-file.example.com").put("allowed_email_domains", new JsonArray().add("example.com"))));
    JsonObject config = AppConfig.resolve(file
        .put("PARLEY_OIDC_ISSUER", "https://login.example.com")
        .put("PARLEY_OIDC_CLIENT_ID", "parley")
        .put("PARLEY_OIDC_CLIENT_SECRET", "oidc-secret"));
    JsonObject oidc = AppConfig.forComponent(config, "http").getJsonObject("sso").getJsonObject("oidc");
    assertThat(oidc.getString("issuer")).isEqualTo("https://login.example.com");
    assertThat(oidc.getString("client_id")).isEqualTo("parley");
    assertThat(oidc.getString("client_secret")).isEqualTo("oidc-secret");
    assertThat(oidc.getJsonArray("allowed_email_domains")).containsExactly("example.com");
    assertThat(AppConfig.forComponent(config, "bot").containsKey("sso")).isFalse();
  }

  @Test
  void embeddings_variables_configure_rag_and_fall_back_to_the_openai_key_and_base_url() {
    JsonObject config = AppConfig.resolve(TestApp.defaults()
        .put("PARLEY_EMBEDDINGS_PROVIDER", "openai")
        .put("PARLEY_EMBEDDINGS_MODEL", "text-embedding-3-large")
        .put("PARLEY_EMBEDDINGS_DIMENSIONS", "256")
        .put("PARLEY_EMBEDDINGS_BATCH", "32")
        .put("OPENAI_API_KEY", "sk-shared")
        .put("OPENAI_BASE_URL", "http://localhost:11434/v1"));
    JsonObject embeddings = AppConfig.forComponent(config, "rag").getJsonObject("embeddings");
    assertThat(embeddings.getString("provider")).isEqualTo("openai");
    assertThat(embeddings.getString("model")).isEqualTo("text-embedding-3-large");
    assertThat(embeddings.getInteger("dimensions")).isEqualTo(256);
    assertThat(embeddings.getInteger("batch")).isEqualTo(32);
    assertThat(embeddings.getString("api_key")).isEqualTo("sk-shared");
    assertThat(embeddings.getString("base_url")).isEqualTo("http://localhost:11434/v1");

    JsonObject own = AppConfig.resolve(TestApp.defaults()
        .put("PARLEY_EMBEDDINGS_PROVIDER", "openai")
        .put("PARLEY_EMBEDDINGS_API_KEY", "sk-embeddings")
        .put("PARLEY_EMBEDDINGS_BASE_URL", "https://embed.example.com/v1")
        .put("OPENAI_API_KEY", "sk-shared"));
    JsonObject ownEmbeddings = AppConfig.forComponent(own, "rag").getJsonObject("embeddings");
    assertThat(ownEmbeddings.getString("api_key")).isEqualTo("sk-embeddings");
    assertThat(ownEmbeddings.getString("base_url")).isEqualTo("https://embed.example.com/v1");

    JsonObject local = AppConfig.forComponent(AppConfig.resolve(TestApp.defaults().put("OPENAI_API_KEY", "sk-shared")),
        "rag").getJsonObject("embeddings");
    assertThat(local.getString("provider")).isEqualTo("local");
    assertThat(local.getValue("api_key")).as("the local model takes no key").isNull();
  }

  /** Why {@link AppConfig#load(Vertx, String)} of {@code file} fails, or null when it loads. */
  private static Throwable loadFailure(String file) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      return AppConfig.load(vertx, file).toCompletionStage().toCompletableFuture()
          .handle((config, error) -> error).get(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
