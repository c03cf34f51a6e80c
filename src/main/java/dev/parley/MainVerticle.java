package dev.parley;

import dev.parley.account.AccountVerticle;
import dev.parley.bot.BotVerticle;
import dev.parley.common.DataFolder;
import dev.parley.common.KeyScope;
import dev.parley.common.TurnMetrics;
import dev.parley.db.Database;
import dev.parley.http.AdminToken;
import dev.parley.http.HttpVerticle;
import dev.parley.memory.MemoryVerticle;
import dev.parley.provider.ProviderVerticle;
import dev.parley.rag.RagVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Deployable;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the verticles of this node's roles, data owners first and HTTP last, each with its
 * own config sub-object and instance count. The {@code bot} role also deploys the {@link AccountVerticle}
 * (operators), with the {@code account} sub-object.
 */
public class MainVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(MainVerticle.class);

  /** The role that deploys the verticles listed in config {@code extensions}, after all others. */
  static final String EXTENSIONS = "extensions";

  /** Role → verticle, in deployment order. */
  private static final Map<String, Supplier<Deployable>> ROLES = new LinkedHashMap<>();

  static {
    ROLES.put("bot", BotVerticle::new);
    ROLES.put("memory", MemoryVerticle::new);
    ROLES.put("rag", RagVerticle::new);
    ROLES.put("provider", ProviderVerticle::new);
    ROLES.put("http", HttpVerticle::new);
  }

  @Override
  public Future<?> start() {
    JsonObject config = config();
    List<String> roles = ClusterConfig.roles(config);
    for (String role : roles) {
      if (!ROLES.containsKey(role) && !role.equals(EXTENSIONS)) {
        return Future.failedFuture(new IllegalArgumentException("Unknown role '" + role + "'; roles are " + ROLES.keySet()
            + " and " + EXTENSIONS));
      }
    }
    String dataDir = config.getString("data_dir", "./data");
    Future<Void> chain = vertx.executeBlocking(() -> {
      DataFolder.secure(Path.of(dataDir), Database.sqliteFile(config.getJsonObject("database"), dataDir));
      return null;
    });
    for (Map.Entry<String, Supplier<Deployable>> role : ROLES.entrySet()) {
      if (roles.contains(role.getKey())) {
        chain = chain.compose(v -> deploy(role.getKey(), role.getValue(), config));
      }
    }
    if (roles.contains(EXTENSIONS)) {
      chain = chain.compose(v -> Extensions.deploy(vertx, config));
    }
    if (roles.contains("http")) {
      TurnMetrics.install(vertx, BackendRegistries.getDefaultNow());
    }
    return chain.onSuccess(v -> LOG.info("Deployed roles {}", roles));
  }

  /**
   * The provider of a bot created without a provider and without a key: OpenAI when the server
   * has a global OpenAI key ({@code provider.openai.api_key}), else {@code extractive}, which
   * needs no model, so a fresh install answers from its knowledge base offline.
   */
  static String defaultProvider(JsonObject config) {
    JsonObject openai = config.getJsonObject("provider", new JsonObject()).getJsonObject("openai", new JsonObject());
    Object key = openai.getValue("api_key");
    return key instanceof String s && !s.isBlank() ? "openai" : "extractive";
  }

  /** The base URL each built-in provider's server key belongs to ({@code provider.<vendor>.base_url}), for bot checks. */
  static JsonObject configuredBaseUrls(JsonObject config) {
    JsonObject provider = config.getJsonObject("provider", new JsonObject());
    JsonObject urls = new JsonObject();
    for (String vendor : KeyScope.VENDOR_BASE_URLS.keySet()) {
      Object url = provider.getJsonObject(vendor, new JsonObject()).getValue("base_url");
      urls.put(vendor, KeyScope.home(vendor, url instanceof String s ? s : null));
    }
    return urls;
  }

  private Future<Void> deploy(String role, Supplier<Deployable> verticle, JsonObject config) {
    JsonObject own = AppConfig.forComponent(config, role);
    if (role.equals("bot") && own.getValue("default_provider") == null) {
      own.put("default_provider", defaultProvider(config));
    }
    if (role.equals("bot")) {
      own.put("configured_base_urls", configuredBaseUrls(config));
    }
    Future<JsonObject> ready = role.equals("http")
        ? AdminToken.resolve(vertx, config).map(hash -> own.put(AdminToken.CONFIG_KEY, hash))
        : Future.succeededFuture(own);
    Future<Void> deployed = ready.compose(c -> vertx.deployVerticle(verticle::get,
            new DeploymentOptions().setConfig(c).setInstances(c.getInteger("instances", 1))))
        .onSuccess(id -> Shutdown.record(vertx, role, id))
        .mapEmpty();
    // the bot role owns the admin data: the operators too (one instance: its work is a few queries per request)
    return !role.equals("bot") ? deployed : deployed.compose(v -> vertx.deployVerticle(new AccountVerticle(),
            new DeploymentOptions().setConfig(AppConfig.forComponent(config, "account"))))
        .onSuccess(id -> Shutdown.record(vertx, role, id))
        .mapEmpty();
  }
}
