package dev.parley;

import dev.parley.account.AccountVerticle;
import dev.parley.audit.AuditVerticle;
import dev.parley.bot.BotVerticle;
import dev.parley.common.DataFolder;
import dev.parley.common.KeyScope;
import dev.parley.common.HandoffMetrics;
import dev.parley.common.TurnMetrics;
import dev.parley.db.Database;
import dev.parley.http.AdminToken;
import dev.parley.http.HttpVerticle;
import dev.parley.memory.MemoryVerticle;
import dev.parley.notify.MailVerticle;
import dev.parley.provider.ProviderVerticle;
import dev.parley.tool.ToolVerticle;
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

  /** A verticle of a role, deployed with the config sub-object {@code name}. */
  private record Component(String name, Supplier<Deployable> verticle) {
  }

  /**
   * Role → its verticles, in deployment order. The operators' accounts and the audit log live with the bots (the bot
   * role owns the admin data; data owners deploy before HTTP).
   */
  private static final Map<String, List<Component>> ROLES = new LinkedHashMap<>();

  static {
    ROLES.put("bot", List.of(new Component("bot", BotVerticle::new), new Component("account", AccountVerticle::new),
        new Component("audit", AuditVerticle::new), new Component("mail", MailVerticle::new)));
    ROLES.put("memory", List.of(new Component("memory", MemoryVerticle::new)));
    ROLES.put("rag", List.of(new Component("rag", RagVerticle::new)));
    ROLES.put("provider", List.of(new Component("provider", ProviderVerticle::new),
        new Component("tool", ToolVerticle::new)));
    ROLES.put("http", List.of(new Component("http", HttpVerticle::new)));
  }

  /** The names of the components of every role: each is a config sub-object. */
  static List<String> components() {
    return ROLES.values().stream().flatMap(List::stream).map(Component::name).toList();
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
    for (Map.Entry<String, List<Component>> role : ROLES.entrySet()) {
      if (roles.contains(role.getKey())) {
        for (Component component : role.getValue()) {
          chain = chain.compose(v -> deploy(role.getKey(), component, config));
        }
      }
    }
    if (roles.contains(EXTENSIONS)) {
      chain = chain.compose(v -> Extensions.deploy(vertx, config));
    }
    if (roles.contains("http")) {
      TurnMetrics.install(vertx, BackendRegistries.getDefaultNow());
    }
    if (roles.contains("memory")) {
      HandoffMetrics.install(vertx, BackendRegistries.getDefaultNow(), Math.max(100,
          config.getJsonObject("memory", new JsonObject()).getLong("metrics_refresh_ms", 30_000L)));
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

  private Future<Void> deploy(String role, Component component, JsonObject config) {
    String name = component.name();
    JsonObject own = AppConfig.forComponent(config, name);
    if (name.equals("bot") && own.getValue("default_provider") == null) {
      own.put("default_provider", defaultProvider(config));
    }
    if (name.equals("bot")) {
      own.put("configured_base_urls", configuredBaseUrls(config));
    }
    Future<JsonObject> ready = name.equals("http")
        ? AdminToken.resolve(vertx, config).map(hash -> own.put(AdminToken.CONFIG_KEY, hash))
        : Future.succeededFuture(own);
    return ready.compose(c -> vertx.deployVerticle(component.verticle()::get,
            new DeploymentOptions().setConfig(c).setInstances(c.getInteger("instances", 1))))
        .onSuccess(id -> Shutdown.record(vertx, role, id))
        .mapEmpty();
  }
}
