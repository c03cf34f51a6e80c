package dev.parley.http;

import dev.parley.common.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * Who is making an admin request, as the admin authentication found them: a signed-in {@code user}, an API
 * {@code token} acting for its owner, or the {@code bootstrap} admin token (an owner). {@code botIds} null means
 * every bot. Put on the routing context under {@link #KEY} once the request is authenticated.
 */
public record Principal(String kind, String userId, String tokenId, String email, String name, Role role,
    Set<String> botIds) {

  public static final String KEY = "parley.principal";
  public static final Principal BOOTSTRAP = new Principal("bootstrap", null, null, null, null, Role.OWNER, null);

  /** The principal of an authenticated request, or null before authentication. */
  public static Principal of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  /** Whether the bot {@code botId} is within this principal's scope. */
  public boolean covers(String botId) {
    return botIds == null || botIds.contains(botId);
  }

  /** As the audit log and the event bus carry it: {@code {kind, user_id?, token_id?, email?, name?, role, bot_ids?}}. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("kind", kind);
    if (userId != null) {
      json.put("user_id", userId);
    }
    if (tokenId != null) {
      json.put("token_id", tokenId);
    }
    if (email != null) {
      json.put("email", email);
    }
    if (name != null) {
      json.put("name", name);
    }
    json.put("role", role.wire());
    if (botIds != null) {
      json.put("bot_ids", new JsonArray(botIds.stream().sorted().toList()));
    }
    return json;
  }
}
