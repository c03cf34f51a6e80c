package dev.parley.http;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Authorizes an authenticated admin request by {@link AccessRules}: no rule, or a role without the rule's
 * {@link Permission}, is 403 {@code forbidden}. A bot outside the principal's scope is 404 {@code not_found}, "Bot
 * not found", exactly as a bot that does not exist; creating a bot needs a principal scoped to no bot list.
 */
final class AccessHandler implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    Principal principal = Principal.of(ctx);
    AccessRules.Rule rule = AccessRules.find(ctx.request().method(), ctx.normalizedPath());
    if (principal == null || rule == null || !rule.permission().grantedTo(principal.role())) {
      ctx.fail(forbidden("Your role may not do this"));
      return;
    }
    String botId = rule.match(ctx.request().method(), ctx.normalizedPath());
    if (!botId.isEmpty() && !principal.covers(botId)) {
      ctx.fail(ParleyException.notFound("Bot"));
      return;
    }
    if (rule.permission() == Permission.BOTS_CREATE && principal.botIds() != null) {
      ctx.fail(forbidden("A user scoped to some bots cannot create bots"));
      return;
    }
    ctx.next();
  }

  private static ParleyException forbidden(String message) {
    return new ParleyException(ErrorCodes.FORBIDDEN, "forbidden", message);
  }
}
