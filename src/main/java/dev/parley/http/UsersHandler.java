package dev.parley.http;

import dev.parley.common.AccountClient;
import dev.parley.common.Ids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The admin user API, {@code /api/users…} (owners and admins, {@link AccessRules}). Creating a user makes a one-time
 * invite valid for 72 hours and answers its {@code invite_url} once: only its hash is kept. The link is mailed to the
 * person when an SMTP server is configured ({@link InviteMails}; {@code invite_mail} says what became of it). {@code POST
 * /api/users/{id}/invite} makes a new one for a user who has not set a password yet (the earlier link stops working). The rules that hold
 * whoever asks (only owners manage owners, the last owner stays, a demotion ends sessions and tokens) are the
 * account component's.
 */
final class UsersHandler {

  static final long INVITE_TTL_MS = 72L * 3600 * 1000;

  private final AccountClient accounts;
  private final InviteMails mails;
  private final String publicUrl;

  UsersHandler(AccountClient accounts, InviteMails mails, String publicUrl) {
    this.accounts = accounts;
    this.mails = mails;
    this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
  }

  void mount(Router router) {
    router.post("/api/users").handler(this::create);
    router.get("/api/users").handler(ctx -> accounts.listUsers(RequestIds.get(ctx))
        .onComplete(Replies.json(ctx, 200, users -> new JsonObject().put("users", users))));
    router.get("/api/users/:userId").handler(ctx -> accounts.getUser(RequestIds.get(ctx), userId(ctx))
        .onComplete(Replies.json(ctx, 200, user -> user)));
    router.put("/api/users/:userId").handler(ctx -> accounts.updateUser(RequestIds.get(ctx), actor(ctx), userId(ctx),
        JsonBodies.object(ctx)).onComplete(Replies.json(ctx, 200, user -> user)));
    router.delete("/api/users/:userId").handler(ctx -> accounts.deleteUser(RequestIds.get(ctx), actor(ctx), userId(ctx))
        .onComplete(Replies.noContent(ctx)));
    router.post("/api/users/:userId/invite").handler(this::reinvite);
  }

  /** A new invite link for someone who lost theirs or let it expire; the earlier link stops working. */
  private void reinvite(RoutingContext ctx) {
    String invite = Secrets.make(Secrets.INVITE);
    long expiresAt = System.currentTimeMillis() + INVITE_TTL_MS;
    accounts.reinviteUser(RequestIds.get(ctx), actor(ctx), userId(ctx), Secrets.hash(invite), expiresAt)
        .compose(user -> mailed(ctx, user, invite, expiresAt))
        .onComplete(Replies.json(ctx, 200, user -> user));
  }

  private void create(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx);
    String invite = Secrets.make(Secrets.INVITE);
    long expiresAt = System.currentTimeMillis() + INVITE_TTL_MS;
    accounts.createUser(RequestIds.get(ctx), actor(ctx), body, Secrets.hash(invite), expiresAt)
        .compose(user -> mailed(ctx, user, invite, expiresAt))
        .onComplete(Replies.json(ctx, 201, user -> {
          ctx.response().putHeader("Location", "/api/users/" + user.getString("id"));
          return user;
        }));
  }

  /** The user with their {@code invite_url}, once it was mailed to them or could not be ({@code invite_mail}). */
  private Future<JsonObject> mailed(RoutingContext ctx, JsonObject user, String invite, long expiresAt) {
    String link = inviteUrl(invite);
    return mails.send(RequestIds.get(ctx), actor(ctx), user, link, expiresAt)
        .map(status -> user.put("invite_url", link).put("invite_mail", status));
  }

  /** Where the invitee sets a password: the admin page reads the token from the fragment (never sent to a server). */
  String inviteUrl(String invite) {
    return publicUrl + "/admin/#/invite/" + invite;
  }

  private static JsonObject actor(RoutingContext ctx) {
    return Principal.of(ctx).toJson();
  }

  private static String userId(RoutingContext ctx) {
    return Ids.requireEntityId(ctx.pathParam("userId"), "User");
  }
}
