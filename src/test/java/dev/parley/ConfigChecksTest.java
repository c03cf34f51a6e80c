package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.testing.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/**
 * The checks of the config at start ({@link ConfigChecks}): the kinds of the bundled {@code conf/config.json}'s keys,
 * and the evaluation heartbeat against the stale time.
 */
class ConfigChecksTest {

  @Test
  void the_shipped_config_file_passes() throws Exception {
    JsonObject shipped = new JsonObject(Files.readString(Path.of("conf", "config.json")));

    assertThat(ConfigChecks.verified(shipped, AppConfig.bundled())).isSameAs(shipped);
  }

  @Test
  void a_value_of_the_wrong_kind_at_a_top_level_key_is_refused_naming_the_key() {
    refused(config -> config.put("http", "x")).hasMessage("Config key http must be an object, not a string");
  }

  @Test
  void a_value_of_the_wrong_kind_in_a_nested_object_is_named_by_its_whole_path() {
    refused(config -> config.getJsonObject("rag").getJsonObject("embeddings").put("timeout_ms", false))
        .hasMessage("Config key rag.embeddings.timeout_ms must be a number, not a boolean");
  }

  @Test
  void every_value_of_the_wrong_kind_is_named_at_once() {
    refused(config -> {
      config.put("roles", "http");
      config.getJsonObject("memory").put("history_cache_mb", true);
      config.getJsonObject("rag").put("allow_private_urls", "no").put("commit_interval_ms", "100");
      config.getJsonObject("cluster").put("members", new JsonObject());
    }).hasMessage("Config key roles must be an array, not a string. "
        + "Config key memory.history_cache_mb must be a number, not a boolean. "
        + "Config key rag.commit_interval_ms must be a number, not a string. "
        + "Config key rag.allow_private_urls must be a boolean, not a string. "
        + "Config key cluster.members must be an array, not an object");
  }

  /** Keys read with a default of the code's own (a wrong kind was a ClassCastException naming nothing), now shipped. */
  @Test
  void a_value_of_the_wrong_kind_at_a_key_shipped_with_its_readers_default_is_refused_naming_the_key() {
    refused(config -> {
      config.getJsonObject("http").put("shutdown_grace_s", true);
      config.getJsonObject("sso").getJsonObject("oidc").put("scopes", "openid");
      config.getJsonObject("mail").put("smtp_tls", 465);
      config.getJsonObject("cluster").put("bus_port", "x");
    }).hasMessage("Config key http.shutdown_grace_s must be a number, not a boolean. "
        + "Config key sso.oidc.scopes must be an array, not a string. "
        + "Config key mail.smtp_tls must be a string, not a number. "
        + "Config key cluster.bus_port must be a number, not a string");
  }

  @Test
  void keys_shipped_as_null_because_they_are_unset_take_what_their_readers_take() {
    passes(config -> {
      config.put("admin_token", "an-operator-token-Vq3xK8pLm2Rt9Zs4");
      config.getJsonObject("bot").put("default_provider", "anthropic");
      config.getJsonObject("mail").put("smtp_host", "smtp.example.com");
      config.getJsonObject("sso").getJsonObject("oidc").put("issuer", "https://login.example.com");
      config.getJsonObject("provider").put("default_price", new JsonObject().put("input", 1.0).put("output", 2.0));
    });
  }

  @Test
  void every_key_shipped_as_null_has_the_kinds_its_reader_takes_and_refuses_others_naming_the_key() throws Exception {
    JsonObject shipped = AppConfig.bundled();
    java.util.List<String> unset = new java.util.ArrayList<>();
    nulls(shipped, "", unset);
    assertThat(ConfigChecks.UNSET_KINDS.keySet()).containsExactlyInAnyOrderElementsOf(unset);
    for (String path : unset) {
      boolean takesArrays = ConfigChecks.UNSET_KINDS.get(path).contains(ConfigChecks.Kind.ARRAY);
      refused(config -> at(config, path, takesArrays ? Boolean.TRUE : new JsonArray().add("x")))
          .hasMessageStartingWith("Config key " + path + " must be ");
    }
    refused(config -> config.getJsonObject("rag").put("fetch_idle_timeout_ms", "5s"))
        .hasMessage("Config key rag.fetch_idle_timeout_ms must be a number, not a string");
    passes(config -> config.getJsonObject("rag").put("fetch_idle_timeout_ms", 1500)
        .getJsonObject("embeddings").put("dimensions", "512").put("batch", 32));
  }

  /** The paths of the null values of {@code json}. */
  private static void nulls(JsonObject json, String prefix, java.util.List<String> out) {
    for (String key : json.fieldNames()) {
      Object value = json.getValue(key);
      if (value == null) {
        out.add(prefix + key);
      } else if (value instanceof JsonObject inner) {
        nulls(inner, prefix + key + ".", out);
      }
    }
  }

  /** Puts {@code value} at the dotted {@code path}, making the objects on the way. */
  private static void at(JsonObject config, String path, Object value) {
    String[] parts = path.split("\\.");
    JsonObject node = config;
    for (int i = 0; i < parts.length - 1; i++) {
      if (!(node.getValue(parts[i]) instanceof JsonObject)) {
        node.put(parts[i], new JsonObject());
      }
      node = node.getJsonObject(parts[i]);
    }
    node.put(parts[parts.length - 1], value);
  }

  @Test
  void the_message_names_the_key_but_never_shows_the_value() {
    refused(config -> {
      config.put("database", "postgres://parley:db-secret-4711@db.example.com/parley");
      config.getJsonObject("provider").put("openai", "sk-live-secret-0815");
    }).hasMessageContainingAll("Config key database must be an object, not a string",
            "Config key provider.openai must be an object, not a string")
        .message().doesNotContain("secret", "parley@", "sk-live");
  }

  @Test
  void any_number_passes_for_a_number_and_keys_the_shipped_file_does_not_hold_are_left_to_their_readers() {
    JsonObject config = TestApp.defaults();
    config.getJsonObject("rag").put("commit_interval_ms", 100.5).put("not_shipped", "any");
    config.getJsonObject("http").put("port", 9_000_000_000L);
    config.put("webhook", "left to its reader");

    assertThat(ConfigChecks.verified(config, AppConfig.bundled())).isSameAs(config);
  }

  @Test
  void the_keys_that_take_several_kinds_pass_with_each_of_them() {
    for (Object preload : new Object[] {true, false, "auto"}) {
      passes(config -> config.getJsonObject("rag").put("preload_model", preload));
    }
    for (Object busyTimeout : new Object[] {5000, "5000"}) {
      passes(config -> config.getJsonObject("database").put("busy_timeout_ms", busyTimeout));
    }
    for (Object stale : new Object[] {60, "60"}) {
      passes(config -> config.getJsonObject("memory").put("evaluation_stale_s", stale));
    }
    for (Object retries : new Object[] {2, "2"}) {
      passes(config -> config.getJsonObject("rag").getJsonObject("embeddings").put("max_retries", retries));
    }
    for (Object seconds : new Object[] {3600, "3600"}) {
      passes(config -> config.getJsonObject("memory").getJsonObject("retention").put("interval_s", seconds)
          .put("first_run_s", seconds));
    }
  }

  @Test
  void a_key_that_takes_several_kinds_still_refuses_the_others() {
    refused(config -> config.getJsonObject("rag").put("preload_model", 1))
        .hasMessage("Config key rag.preload_model must be a string or a boolean, not a number");
    refused(config -> config.getJsonObject("memory").put("evaluation_stale_s", new JsonObject()))
        .hasMessage("Config key memory.evaluation_stale_s must be a number or a string, not an object");
    refused(config -> config.getJsonObject("memory").getJsonObject("retention").put("interval_s", false))
        .hasMessage("Config key memory.retention.interval_s must be a number or a string, not a boolean");
  }

  @Test
  void a_heartbeat_at_or_above_the_stale_time_is_refused_naming_both_keys() {
    refused(config -> {
      config.getJsonObject("http").getJsonObject("evaluations").put("heartbeat_ms", 60_000);
      config.getJsonObject("memory").put("evaluation_stale_s", "60");
    }).hasMessageStartingWith("Config key http.evaluations.heartbeat_ms (60000 ms) must be less than "
        + "memory.evaluation_stale_s (60 s)");
    refused(config -> config.getJsonObject("memory").put("evaluation_stale_s", 15))
        .as("the default heartbeat of 15 s")
        .hasMessageContainingAll("heartbeat_ms (15000 ms)", "evaluation_stale_s (15 s)");
  }

  @Test
  void a_heartbeat_below_the_stale_time_passes_and_a_value_not_positive_stands_for_its_default() {
    passes(config -> {
      config.getJsonObject("http").getJsonObject("evaluations").put("heartbeat_ms", 100);
      config.getJsonObject("memory").put("evaluation_stale_s", 1);
    });
    passes(config -> {
      config.getJsonObject("http").getJsonObject("evaluations").put("heartbeat_ms", 0);
      config.getJsonObject("memory").put("evaluation_stale_s", -1);
    });
  }

  @Test
  void a_stale_time_that_is_not_a_whole_number_is_named() {
    refused(config -> config.getJsonObject("memory").put("evaluation_stale_s", "1m"))
        .hasMessage("Config key memory.evaluation_stale_s must be a whole number of seconds");
  }

  /**
   * A reader's {@code getLong(key, default)} answers an explicit null itself (a NullPointerException at start for
   * {@code memory.history_cache_mb}); a key the shipped file gives a value, set to null, is taken out instead, so
   * every reader takes its default.
   */
  @Test
  void a_key_set_to_null_where_the_shipped_file_has_a_value_is_taken_out_for_its_default() {
    JsonObject config = TestApp.defaults();
    config.putNull("data_dir").putNull("cluster");
    config.getJsonObject("memory").putNull("history_cache_mb");
    config.getJsonObject("http").putNull("port");
    config.getJsonObject("database").putNull("url");
    assertThat(config.getJsonObject("memory").getLong("history_cache_mb", 64L)).as("what a reader got").isNull();

    JsonObject verified = ConfigChecks.verified(config, AppConfig.bundled());

    assertThat(verified.containsKey("data_dir")).isFalse();
    assertThat(verified.containsKey("cluster")).as("an object set to null").isFalse();
    assertThat(verified.getJsonObject("memory").getLong("history_cache_mb", 64L)).isEqualTo(64L);
    assertThat(verified.getJsonObject("http").getInteger("port", 8000)).isEqualTo(8000);
    assertThat(verified.getJsonObject("http").getJsonObject("evaluations")).as("its neighbours stay").isNotNull();
    assertThat(verified.getJsonObject("database").containsKey("url"))
        .as("null in the shipped file too: left to its reader").isTrue();
  }

  @Test
  void keys_the_shipped_file_does_not_hold_that_parley_reads_are_refused_with_a_wrong_kind_naming_the_key() {
    refused(config -> {
      config.put("secret_key", 4711);
      config.getJsonObject("mail").put("smtp_port", "587");
      config.getJsonObject("provider").put("forward_timeout_ms", true);
    }).hasMessageContainingAll("Config key secret_key must be a string, not a number",
            "Config key mail.smtp_port must be a number, not a string",
            "Config key provider.forward_timeout_ms must be a number, not a boolean")
        .message().doesNotContain("4711");
  }

  @Test
  void keys_the_shipped_file_does_not_hold_that_parley_reads_pass_with_their_kind() {
    passes(config -> {
      config.put("secret_key", "a-configured-key");
      config.getJsonObject("mail").put("smtp_port", 2525);
      config.getJsonObject("provider").put("forward_timeout_ms", 5_000);
      config.put("account", new JsonObject().put("instances", 2));
    });
  }

  @Test
  void a_components_instances_must_be_a_whole_number_from_1_to_the_cap_whether_shipped_or_not() {
    String words = " must be a whole number from 1 to " + ConfigChecks.MAX_INSTANCES;
    refused(config -> config.getJsonObject("http").put("instances", 0)).hasMessage("Config key http.instances" + words);
    refused(config -> config.getJsonObject("rag").put("instances", 1.5)).hasMessage("Config key rag.instances" + words);
    refused(config -> config.getJsonObject("memory").put("instances", ConfigChecks.MAX_INSTANCES + 1))
        .hasMessage("Config key memory.instances" + words);
    refused(config -> config.put("tool", new JsonObject().put("instances", "2")))
        .hasMessage("Config key tool.instances" + words);
    refused(config -> config.put("audit", new JsonObject().put("instances", -1)))
        .hasMessage("Config key audit.instances" + words);
    passes(config -> config.getJsonObject("http").put("instances", ConfigChecks.MAX_INSTANCES));
    refused(config -> config.getJsonObject("http").put("instances", "4"))
        .as("named once, for its kind").hasMessage("Config key http.instances must be a number, not a string");
  }

  /** The checks of the shipped config changed by {@code change}, which must fail. */
  private static AbstractThrowableAssert<?, ? extends Throwable> refused(Consumer<JsonObject> change) {
    JsonObject config = TestApp.defaults();
    change.accept(config);
    return assertThatThrownBy(() -> ConfigChecks.verified(config, AppConfig.bundled()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void passes(Consumer<JsonObject> change) {
    JsonObject config = TestApp.defaults();
    change.accept(config);
    assertThat(ConfigChecks.verified(config, AppConfig.bundled())).isSameAs(config);
  }
}
