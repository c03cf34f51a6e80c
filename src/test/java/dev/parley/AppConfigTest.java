package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class AppConfigTest {

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
}
