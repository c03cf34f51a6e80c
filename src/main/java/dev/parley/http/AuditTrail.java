package dev.parley.http;

import dev.parley.common.AuditClient;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records admin writes in the audit log at the HTTP edge, for every route at once, so none can be forgotten.
 * Mounted on {@code /api/*} before authentication, it watches each response: when one ends with a 2xx status for an
 * authenticated admin request ({@link Principal} on the context) whose method is not GET, HEAD or OPTIONS (or for a
 * GET route marked with {@link #audited()}, such as an export), it records one entry: the actor
 * ({@link Principal#toJson()}), the action and target named from the route ({@link AuditActions}; a create's new id
 * from its {@code Location} header or reply), the bot, the request id, the client address ({@link ClientAddress}),
 * the status, and the changed fields ({@link AuditChanges}: secrets redacted, files as name and size).
 *
 * <p>A response whose connection closed first is recorded when its handler answers (through {@link Replies}),
 * so a client cannot make an unrecorded change by hanging up. Recording happens after the response and never
 * fails it: a failure is a WARN line with the request id, never the body. Events the routes cannot see (a sign-in,
 * a failed sign-in) are recorded with {@link #record} and {@link #recordFailure}.
 */
public final class AuditTrail implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
  private static final String SELF = "parley.audit.trail";
  private static final String READ_MARK = "parley.audit.read";
  /** Set once the request has its entry (or an explicit event was recorded for it): never two. */
  private static final String DONE = "parley.audit.done";
  static final JsonObject ANONYMOUS = new JsonObject().put("kind", "anonymous");

  private final AuditClient client;
  private final ClientAddress addresses;

  AuditTrail(AuditClient client, ClientAddress addresses) {
    this.client = client;
    this.addresses = addresses;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.get(SELF) == null) {
      ctx.put(SELF, this);
      ctx.addEndHandler(ended -> {
        if (ended.succeeded()) {
          recordWrite(ctx);
        }
      });
    }
    ctx.next();
  }

  /** Put before the handler of a GET route whose every successful use is recorded (an export); a HEAD is not. */
  static Handler<RoutingContext> audited() {
    return ctx -> {
      if (!HttpVerticle.isHead(ctx)) {
        ctx.put(READ_MARK, Boolean.TRUE);
      }
      ctx.next();
    };
  }

  /** Called by {@link Replies} when a handler answers a request whose connection had already closed. */
  static void answeredAfterClose(RoutingContext ctx) {
    AuditTrail trail = ctx.get(SELF);
    if (trail != null) {
      trail.recordWrite(ctx);
    }
  }

  /**
   * Records an event of this request that no route shows by itself (a sign-in: {@code auth.login}), as the
   * request's only entry. The actor is the request's principal, or {@code {kind: "anonymous"}} before sign-in.
   * Completes once stored or, on failure, once logged: it never fails.
   */
  public Future<Void> record(RoutingContext ctx, String action, String targetType, String targetId, JsonObject changes) {
    return explicit(ctx, action, targetType, targetId, changes, "success");
  }

  /** The same for a refused attempt ({@code auth.login_failed} with the attempted email as the target). */
  public Future<Void> recordFailure(RoutingContext ctx, String action, String targetType, String targetId,
      JsonObject changes) {
    return explicit(ctx, action, targetType, targetId, changes, "failure");
  }

  private Future<Void> explicit(RoutingContext ctx, String action, String targetType, String targetId,
      JsonObject changes, String outcome) {
    ctx.put(DONE, Boolean.TRUE);
    JsonObject entry = base(ctx, action, targetType, targetId)
        .put("outcome", outcome)
        .put("changes", changes == null ? null : AuditChanges.of(changes));
    return send(ctx, entry);
  }

  private void recordWrite(RoutingContext ctx) {
    int status = ctx.response().getStatusCode();
    Principal principal = Principal.of(ctx);
    if (status < 200 || status > 299 || principal == null || ctx.get(DONE) != null) {
      return;
    }
    HttpMethod method = ctx.request().method();
    boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
    if (read && !Boolean.TRUE.equals(ctx.get(READ_MARK))) {
      return;
    }
    ctx.put(DONE, Boolean.TRUE);
    Route route = ctx.currentRoute();
    AuditActions.Naming naming = AuditActions.of(method, route == null ? null : route.getPath());
    String targetId = naming.targetParam() != null ? ctx.pathParam(naming.targetParam())
        : naming.creates() ? createdId(ctx) : null;
    JsonObject entry = base(ctx, naming.action(), naming.targetType(), targetId)
        .put("status", status)
        .put("outcome", "success")
        .put("changes", changes(ctx));
    send(ctx, entry);
  }

  private JsonObject base(RoutingContext ctx, String action, String targetType, String targetId) {
    Principal principal = Principal.of(ctx);
    String botId = ctx.pathParam("botId");
    if (botId == null && "bot".equals(targetType)) {
      botId = targetId;
    }
    return new JsonObject()
        .put("actor", principal == null ? ANONYMOUS.copy() : principal.toJson())
        .put("action", action)
        .put("target_type", targetType)
        .put("target_id", targetId)
        .put("bot_id", botId)
        .put("request_id", RequestIds.get(ctx))
        .put("client_address", addresses.of(ctx.request()));
  }

  private Future<Void> send(RoutingContext ctx, JsonObject entry) {
    String requestId = RequestIds.get(ctx);
    return client.record(requestId, entry).<Void>mapEmpty().otherwise(failure -> {
      LOG.warn("[{}] Could not record {} in the audit log: {}", requestId, entry.getString("action"),
          failure instanceof ParleyException parley ? parley.code() : failure.getClass().getSimpleName());
      return null;
    });
  }

  /** The new item's id: the last segment of {@code Location}, or the reply's {@code id}, or its one document's. */
  private static String createdId(RoutingContext ctx) {
    String location = ctx.response().headers().get("Location");
    if (location != null && location.lastIndexOf('/') >= 0 && location.lastIndexOf('/') < location.length() - 1) {
      return location.substring(location.lastIndexOf('/') + 1);
    }
    JsonObject reply = Replies.replied(ctx);
    if (reply == null) {
      return null;
    }
    if (reply.getValue("id") instanceof String id) {
      return id;
    }
    JsonArray documents = reply.getValue("documents") instanceof JsonArray docs ? docs : null;
    return documents != null && documents.size() == 1 && documents.getValue(0) instanceof JsonObject doc
        ? doc.getString("id") : null;
  }

  private static JsonObject changes(RoutingContext ctx) {
    List<FileUpload> files = ctx.fileUploads();
    JsonObject changes;
    if (files != null && !files.isEmpty()) {
      changes = AuditChanges.ofFiles(files);
      JsonObject reply = Replies.replied(ctx);
      JsonArray documents = reply == null ? null : reply.getJsonArray("documents");
      if (documents != null && documents.size() == files.size()) {
        JsonArray listed = changes.getJsonArray("files");
        for (int i = 0; i < files.size(); i++) {
          listed.getJsonObject(i).put("document_id", documents.getJsonObject(i).getString("id"));
        }
      }
    } else {
      JsonObject body = JsonBodies.parsed(ctx);
      changes = body == null ? new JsonObject() : AuditChanges.of(body);
    }
    if (!ctx.queryParams().isEmpty()) {
      JsonObject query = new JsonObject();
      ctx.queryParams().names().forEach(name -> query.put(name, ctx.queryParams().get(name)));
      changes.put("query_params", AuditChanges.of(query));
    }
    return changes.isEmpty() ? null : changes;
  }
}
