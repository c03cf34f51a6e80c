package dev.parley.http;

import dev.parley.chat.EvaluationRunner;
import dev.parley.common.AuditClient;
import dev.parley.common.Clients;
import dev.parley.common.SecretBox;
import dev.parley.common.Timeouts;
import dev.parley.http.sso.IdentityDirectory;
import dev.parley.http.sso.OidcRoutes;
import dev.parley.http.sso.SignInSessions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge: it only translates — validate → a bus client or the chat pipeline → JSON or server-sent events.
 * It stores nothing. Filters that every request passes (request id, framing, headers, admin auth, body limits)
 * are set up here; each group of routes is a class with {@code mount(Router)}: {@link OpsRoutes},
 * {@link DataRoutes}, {@link InboxRoutes}, {@link BotsHandler}, {@link DocumentsHandler}, {@link QualityRoutes}, {@link UsersHandler}, {@link SelfRoutes} and {@link AuditRoutes}
 * (admin: authenticated by {@link AdminAuthHandler}, authorized by {@link AccessHandler} from the one table
 * {@link AccessRules}; every admin write is recorded by {@link AuditTrail}), {@link AuthRoutes} (sign-in, set-up and
 * invites, public), {@link ChatRoutes} (the
 * public chat API, following each bot's allowed origins; a turn is run by {@link dev.parley.chat.ChatPipeline}),
 * {@link OpenAiRoutes} and {@link McpRoutes} (every bot as an OpenAI-compatible API and an MCP server, opened by
 * its API keys: {@link BotKeyRoutes}),
 * {@link OidcRoutes} (single sign-on, public), {@link DocsRoutes} and {@link PagesHandler}. The bus clients
 * ({@link Clients}) are made once per instance and shared by every route; each call passes its request's id.
 */
public class HttpVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);
  /** On a request that came as HEAD and is answered by its GET route ({@link #isHead}). */
  private static final String HEAD_REQUEST = "parley.head";
  // made once: every response carries them
  private static final CharSequence CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence REFERRER_POLICY = HttpHeaders.createOptimized("Referrer-Policy");
  private static final CharSequence NO_REFERRER = HttpHeaders.createOptimized("no-referrer");

  private HttpServer server;
  private Router router;
  private SlowClients slowClients;
  private AuditTrail auditTrail;
  private ChatRoutes chatRoutes;
  private InboxChannels inboxChannels;
  /** Set once the instance stops: readiness fails and each response closes its connection. */
  private volatile boolean draining;

  private final IdentityDirectory identities;
  private final SignInSessions signIns;

  /** Single sign-on, when configured, signs people in to the account component ({@link SsoAccounts}). */
  public HttpVerticle() {
    this(null, null);
  }

  /** With the accounts that single sign-on ({@link OidcRoutes}) looks people up in and signs them in to. */
  public HttpVerticle(IdentityDirectory identities, SignInSessions signIns) {
    this.identities = identities;
    this.signIns = signIns;
  }

  @Override
  public Future<?> start() {
    JsonObject config = config();
    String hash = config.getString(AdminToken.CONFIG_KEY);
    if (hash == null) {
      return Future.failedFuture(new IllegalStateException("HttpVerticle needs " + AdminToken.CONFIG_KEY));
    }
    Timeouts timeouts = Timeouts.from(config.getJsonObject("timeouts"));
    Clients clients = Clients.of(vertx, timeouts);
    SsoAccounts accounts = identities == null && signIns == null ? new SsoAccounts(clients.accounts()) : null;
    return SecretBox.load(vertx, config).compose(box -> OidcRoutes.create(vertx, config,
            accounts != null ? accounts : identities, accounts != null ? accounts : signIns)
        .compose(sso -> serve(config, hash, sso, clients, timeouts, accounts, box)));
  }

  private Future<?> serve(JsonObject config, String hash, OidcRoutes sso, Clients clients, Timeouts timeouts,
      SsoAccounts ssoAccounts, SecretBox box) {
    String publicUrl = config.getString("public_url", "http://localhost:8000");
    long bodyLimit = config.getLong("body_limit_bytes", 65_536L);

    router = Router.router(vertx);
    router.route().handler(new RequestIds());
    router.route().handler(new RequestFraming());
    // HEAD is answered by the GET route of the same path; Vert.x then sends the headers only (RFC 9110 §9.3.2).
    router.route().method(HttpMethod.HEAD).handler(ctx -> {
      ctx.put(HEAD_REQUEST, Boolean.TRUE);
      ctx.reroute(HttpMethod.GET, ctx.request().uri());
    });
    router.route().handler(ctx -> {
      ctx.response().putHeader(CONTENT_TYPE_OPTIONS, NOSNIFF).putHeader(REFERRER_POLICY, NO_REFERRER);
      ctx.next();
    });

    ClientAddress clientAddress;
    try {
      clientAddress = new ClientAddress(config.getJsonArray("trusted_proxies"));
    } catch (IllegalArgumentException | ClassCastException bad) {
      return Future.failedFuture(new IllegalStateException(bad.getMessage()));
    }
    RateLimiter limiter = new RateLimiter(vertx, "shared".equals(config.getString("rate_limit_store")));
    AuditClient auditClient = new AuditClient(clients.bus(), timeouts);
    auditTrail = new AuditTrail(auditClient, clientAddress);
    // before authentication: it records what an authenticated admin request changed once its response has ended
    // (not on the public chat routes: nothing there is recorded, and a turn should not pay for the end handler)
    // (a prefix route and a test, not a regular expression: no route before the chat routes builds a matcher per turn)
    router.route("/api/*").handler(ctx -> {
      String path = ctx.normalizedPath();
      if (path.startsWith("/api/") && !path.startsWith("/api/chat/")) {
        auditTrail.handle(ctx);
      } else {
        ctx.next();
      }
    });
    AdminAuthHandler adminAuth = new AdminAuthHandler(new AdminToken(hash), !AdminToken.disabled(config), clients.accounts(),
        limiter, clientAddress,
        config.getInteger("admin_auth_failures_per_minute", AdminAuthHandler.DEFAULT_FAILURES_PER_MINUTE));
    AccessHandler access = new AccessHandler();
    for (String prefix : AccessRules.guardedPrefixes()) {
      if (!prefix.equals("/metrics")) {
        router.route(prefix + "*").handler(adminAuth).handler(access);
      }
    }
    new OpsRoutes(clients.bus(), config.getBoolean("metrics_public", false), () -> draining, adminAuth, access).mount(router);
    // Document uploads get their own, larger limit; the general BodyHandler below then lets them pass.
    router.post("/api/bots/:botId/documents").handler(BodyHandler.create(uploadsDir(config))
        .setBodyLimit(config.getLong("upload_limit_bytes", 20L * 1024 * 1024))
        .setDeleteUploadedFilesOnEnd(true));
    // An API client sends the whole conversation: api_body_limit_bytes (1 MiB) for it.
    router.post("/v1/chat/completions").handler(BodyHandler.create(false)
        .setBodyLimit(config.getLong("api_body_limit_bytes", 1024L * 1024)));
    AnswersHandler.mountBodyLimit(router, config);
    // An evaluation's questions (up to 500): evaluation_body_limit_bytes (1 MiB).
    router.post("/api/bots/:botId/evaluations").handler(BodyHandler.create(false)
        .setBodyLimit(config.getLong("evaluation_body_limit_bytes", 1024L * 1024)));
    // Every other route reads at most body_limit_bytes (413 beyond), whatever its path or method.
    router.route().handler(BodyHandler.create(false).setBodyLimit(bodyLimit));
    // The chat routes first of those that read bodies: a visitor's turn is the request served most, and every route
    // with a path parameter tried before it builds a regular-expression matcher. No other route's path starts with
    // /api/chat/, so their order decides nothing else.
    chatRoutes = new ChatRoutes(clients, publicUrl, limiter, clientAddress, config, timeouts);
    chatRoutes.mount(router);
    new DataRoutes(clients).mount(router);
    inboxChannels = new InboxChannels(vertx, config.getInteger("inbox_channels", InboxChannels.DEFAULT_MAX),
        config.getLong("inbox_recheck_ms", InboxChannels.DEFAULT_RECHECK_MS));
    new InboxRoutes(clients.conversations(), clients.accounts(), inboxChannels).mount(router);
    new BotsHandler(clients, new Deploy(publicUrl)).mount(router);
    new DocumentsHandler(clients).mount(router);
    new ToolsHandler(clients).mount(router);
    new AnswersHandler(clients).mount(router);
    JsonObject evaluations = config.getJsonObject("evaluations", new JsonObject());
    new QualityRoutes(clients, new EvaluationRunner(vertx, clients, clients.provider().timeoutMs(),
        evaluations.getInteger("max_running", 2), evaluations.getInteger("concurrency", 2),
        evaluations.getLong("heartbeat_ms", EvaluationRunner.DEFAULT_HEARTBEAT_MS))).mount(router);
    new AuditRoutes(auditClient).mount(router);
    new UsersHandler(clients.accounts(), new InviteMails(clients.bus(), box), publicUrl).mount(router);
    new SelfRoutes(clients.accounts()).mount(router);
    new BotKeyRoutes(clients.accounts(), clients.bots()).mount(router);
    AuthRoutes authRoutes = new AuthRoutes(clients.accounts(), new Passwords(vertx, box), new SessionCookie(publicUrl), limiter,
        clientAddress, config.getInteger("login_attempts_per_minute", AuthRoutes.DEFAULT_ATTEMPTS_PER_MINUTE), auditTrail);
    authRoutes.mount(router);
    if (ssoAccounts != null) {
      ssoAccounts.use(authRoutes, auditTrail);
    }
    BotKeyAuth botKeys = new BotKeyAuth(clients.accounts());
    new OpenAiRoutes(clients.bots(), botKeys, chatRoutes.pipeline(),
        new ChatLimits(limiter, clientAddress, config.getJsonObject("rate_limit"))).mount(router);
    new McpRoutes(clients.bots(), botKeys, new McpTools(chatRoutes.pipeline(), clients.rag()),
        new ChatLimits(limiter, clientAddress, config.getJsonObject("rate_limit"))).mount(router);
    sso.mount(router);
    new DocsRoutes(vertx).mount(router);
    new PagesHandler(clients.bots(), config.getString("webroot", "webroot")).mount(router);
    ApiErrors errors = new ApiErrors();
    router.route().failureHandler(errors);
    for (int status : new int[] {400, 404, 405, 413, 500}) {
      router.errorHandler(status, errors);
    }

    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.getString("host", "0.0.0.0"))
        .setPort(config.getInteger("port", 8000))
        .setIdleTimeout(config.getInteger("idle_timeout_s", 120))
        .setCompressionSupported(false)
        // HTTP/1.1 only (no h2c upgrade): connections are then set up at accept, so SlowClients sees them from the first byte.
        .setHttp2ClearTextEnabled(false);
    slowClients = new SlowClients(vertx, config);
    return inboxChannels.start().compose(listening -> vertx.createHttpServer(options)
        .connectionHandler(slowClients::connection)
        .requestHandler(request -> {
          if (draining) {
            // the header alone closes only connections whose request asked for it
            request.response().putHeader(HttpHeaders.CONNECTION, "close")
                .endHandler(v -> request.connection().close());
          }
          slowClients.request(request);
          router.handle(request);
        })
        .listen().onSuccess(s -> {
      server = s;
      LOG.info("HTTP listening on {}:{}", options.getHost(), s.actualPort());
    }));
  }

  /** Records explicit audit events (a sign-in) of this instance's requests. */
  AuditTrail auditTrail() {
    return auditTrail;
  }

  /** The routes this instance serves (OpenApiTest checks each is documented). */
  Router router() {
    return router;
  }

  private static String uploadsDir(JsonObject config) {
    return java.nio.file.Path.of(config.getString("data_dir", "./data"), "uploads").toString();
  }

  /**
   * First reports not ready and closes each connection after its response, for {@code shutdown_delay_ms}, so
   * that a load balancer stops sending here and holds no idle connection that the shutdown would close
   * under a request it is just sending; then stops taking connections and lets requests in flight, streams
   * included, finish (up to {@code shutdown_grace_s}).
   */
  @Override
  public Future<?> stop() {
    draining = true;
    long delayMs = config().getLong("shutdown_delay_ms", 0L);
    Future<?> unready = server == null || delayMs <= 0 ? Future.succeededFuture() : vertx.timer(delayMs);
    return unready.compose(v -> {
      if (slowClients != null) {
        slowClients.stop();
      }
      if (chatRoutes != null) {
        chatRoutes.closeChannels();
      }
      if (inboxChannels != null) {
        inboxChannels.stop();
      }
      return server == null ? Future.succeededFuture()
          : server.shutdown(config().getLong("shutdown_grace_s", 30L), TimeUnit.SECONDS);
    });
  }

  /**
   * Whether the request came as HEAD (its GET route answers it, and Vert.x sends the headers only): a route whose GET
   * does work that a HEAD must not repeat (an export, recorded in the audit trail) answers with the headers alone.
   */
  static boolean isHead(io.vertx.ext.web.RoutingContext ctx) {
    return Boolean.TRUE.equals(ctx.get(HEAD_REQUEST));
  }
}
