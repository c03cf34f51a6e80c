package dev.parley.http;

import dev.parley.common.AccountClient;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * One's own account, for every role: {@code GET /api/me} ({@code {kind, user_id, email, name, role, bot_ids,
 * csrf_token}}: the CSRF token only for a cookie session), and one's API tokens: {@code POST /api/tokens {name,
 * expires_in_days?}} answers 201 with the token ({@code pt_…}) once, {@code GET /api/tokens} lists them without it,
 * {@code DELETE /api/tokens/{id}} revokes one (404 for anyone else's). The bootstrap token has no account: it lists
 * no tokens and cannot make one (403).
 */
final class SelfRoutes {

  static final int MAX_TOKEN_DAYS = 3650;

  private final AccountClient accounts;

  SelfRoutes(AccountClient accounts) {
    this.accounts = accounts;
  }

  void mount(Router router) {
    router.get("/api/me").handler(this::me);
    router.post("/api/tokens").handler(this::createToken);
    router.get("/api/tokens").handler(ctx -> {
      Principal principal = Principal.of(ctx);
      Future<JsonArray> tokens = principal.userId() == null ? Future.succeededFuture(new JsonArray())
          : accounts.listTokens(RequestIds.get(ctx), principal.userId());
      tokens.onComplete(Replies.json(ctx, 200, list -> new JsonObject().put("tokens", list)));
    });
    router.delete("/api/tokens/:tokenId").handler(ctx -> {
      Principal principal = Principal.of(ctx);
      String tokenId = Ids.requireEntityId(ctx.pathParam("tokenId"), "Token");
      Future<Void> deleted = principal.userId() == null ? Future.failedFuture(ParleyException.notFound("Token"))
          : accounts.deleteToken(RequestIds.get(ctx), principal.userId(), tokenId);
      deleted.onComplete(Replies.noContent(ctx));
    });
  }

  private void me(RoutingContext ctx) {
    Principal principal = Principal.of(ctx);
    JsonObject me = principal.toJson();
    me.put(Fields.BOT_IDS, me.getValue(Fields.BOT_IDS));
    String session = "user".equals(principal.kind()) ? SessionCookie.of(ctx) : null;
    if (session != null) {
      me.put("csrf_token", Secrets.csrf(session));
    }
    Replies.json(ctx, 200, me);
  }

  private void createToken(RoutingContext ctx) {
    Principal principal = Principal.of(ctx);
    JsonObject body = JsonBodies.object(ctx);
    if (principal.userId() == null) {
      throw new ParleyException(ErrorCodes.FORBIDDEN, "forbidden",
          "The bootstrap admin token has no account: sign in as a user to make API tokens");
    }
    Object days = body.getValue("expires_in_days");
    if (days != null && !(days instanceof Integer || days instanceof Long)
        || days != null && (((Number) days).longValue() < 1 || ((Number) days).longValue() > MAX_TOKEN_DAYS)) {
      throw ParleyException.invalid("expires_in_days", "expires_in_days must be a whole number from 1 to " + MAX_TOKEN_DAYS);
    }
    Long expiresAt = days == null ? null : System.currentTimeMillis() + ((Number) days).longValue() * 86_400_000L;
    String token = Secrets.make(Secrets.TOKEN);
    accounts.createToken(RequestIds.get(ctx), principal.userId(), body.getValue(Fields.NAME) instanceof String n ? n : null,
        expiresAt, Secrets.hash(token), Secrets.hint(token))
        .onComplete(Replies.json(ctx, 201, created -> created.put("token", token)));
  }
}
