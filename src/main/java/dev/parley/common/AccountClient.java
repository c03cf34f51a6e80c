package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Sender side of the account component ({@code parley.account.*}, served by {@code AccountVerticle}). No secret
 * crosses the bus: the caller makes each invite, session and token, hands out the raw value and sends only its
 * SHA-256 ({@link Hashes#sha256Hex(String)}); a password travels as its Argon2id hash. A user is
 * {@code {id, email, name, role, bot_ids (null = every bot), disabled, created_at, updated_at}}. Uses the bot
 * timeout: the account component is deployed by the {@code bot} role.
 */
public final class AccountClient {

  private final Bus bus;
  private final long timeoutMs;

  public AccountClient(Bus bus, Timeouts timeouts) {
    this.bus = bus;
    this.timeoutMs = timeouts.botMs();
  }

  /** Whether any user exists yet (while none does, the first owner may be created). */
  public Future<Boolean> anyUser(String requestId) {
    return send(requestId, Addresses.ACCOUNT_SETUP_STATUS, new JsonObject()).map(r -> r.getBoolean("users", true));
  }

  /** Creates the first owner; 409 {@code setup_done} once any user exists. */
  public Future<JsonObject> setup(String requestId, String email, String name, String passwordHash) {
    return send(requestId, Addresses.ACCOUNT_SETUP, new JsonObject().put(Fields.EMAIL, email).put(Fields.NAME, name)
        .put(Fields.PASSWORD_HASH, passwordHash));
  }

  /**
   * Creates a user invited by {@code actor} ({@code Principal.toJson()}), with the invite that {@code inviteHash}
   * stands for, valid until {@code inviteExpiresAt}.
   */
  public Future<JsonObject> createUser(String requestId, JsonObject actor, JsonObject fields, String inviteHash,
      long inviteExpiresAt) {
    return send(requestId, Addresses.ACCOUNT_USER_CREATE, fields.copy().put(Fields.ACTOR, actor)
        .put(Fields.INVITE_HASH, inviteHash).put(Fields.EXPIRES_AT, inviteExpiresAt));
  }

  public Future<JsonArray> listUsers(String requestId) {
    return send(requestId, Addresses.ACCOUNT_USER_LIST, new JsonObject()).map(r -> r.getJsonArray("users"));
  }

  public Future<JsonObject> getUser(String requestId, String userId) {
    return send(requestId, Addresses.ACCOUNT_USER_GET, new JsonObject().put(Fields.USER_ID, userId));
  }

  public Future<JsonObject> updateUser(String requestId, JsonObject actor, String userId, JsonObject patch) {
    return send(requestId, Addresses.ACCOUNT_USER_UPDATE, new JsonObject().put(Fields.ACTOR, actor)
        .put(Fields.USER_ID, userId).put(Fields.PATCH, patch));
  }

  public Future<Void> deleteUser(String requestId, JsonObject actor, String userId) {
    return send(requestId, Addresses.ACCOUNT_USER_DELETE, new JsonObject().put(Fields.ACTOR, actor)
        .put(Fields.USER_ID, userId)).mapEmpty();
  }

  /** A new invite for a user who has not set a password yet, in place of the earlier one: the user. */
  public Future<JsonObject> reinviteUser(String requestId, JsonObject actor, String userId, String inviteHash,
      long inviteExpiresAt) {
    return send(requestId, Addresses.ACCOUNT_USER_INVITE, new JsonObject().put(Fields.ACTOR, actor)
        .put(Fields.USER_ID, userId).put(Fields.INVITE_HASH, inviteHash).put(Fields.EXPIRES_AT, inviteExpiresAt));
  }

  /** Sets the password of the invited user and uses the invite up; 404 {@code invite_invalid} when it cannot be used. */
  public Future<JsonObject> acceptInvite(String requestId, String inviteHash, String passwordHash) {
    return send(requestId, Addresses.ACCOUNT_INVITE_ACCEPT, new JsonObject().put(Fields.INVITE_HASH, inviteHash)
        .put(Fields.PASSWORD_HASH, passwordHash));
  }

  /** {@code {user_id, role}} of the enabled user with this email, or {} (single sign-on). */
  public Future<JsonObject> findForSso(String requestId, String email) {
    return send(requestId, Addresses.ACCOUNT_SSO_FIND, new JsonObject().put(Fields.EMAIL, email));
  }

  /** Makes the account of a person single sign-on admitted ({@code userId} null), or brings it to {@code role}. */
  public Future<JsonObject> admitSso(String requestId, String email, String name, Role role, String userId) {
    JsonObject body = new JsonObject().put(Fields.EMAIL, email).put(Fields.NAME, name).put(Fields.ROLE, role.wire());
    if (userId != null) {
      body.put(Fields.USER_ID, userId);
    }
    return send(requestId, Addresses.ACCOUNT_SSO_ADMIT, body);
  }

  /**
   * What a sign-in needs: {@code {user_id, password_hash}} of an enabled user with a password, or {} for any other
   * email; 429 with {@code retry_after} while the email is locked out after too many failures.
   */
  public Future<JsonObject> loginBegin(String requestId, String email) {
    return send(requestId, Addresses.ACCOUNT_LOGIN_BEGIN, new JsonObject().put(Fields.EMAIL, email));
  }

  /** Counts a failed sign-in for {@code email}, known or not. */
  public Future<Void> loginFailed(String requestId, String email) {
    return send(requestId, Addresses.ACCOUNT_LOGIN_FAILED, new JsonObject().put(Fields.EMAIL, email)).mapEmpty();
  }

  /**
   * Starts a session for a verified user (clearing the email's failures) and answers the user; 401 when the user
   * is gone or disabled. Used by password sign-in and by any other sign-in that has verified who it is.
   */
  public Future<JsonObject> startSession(String requestId, String userId, String sessionHash) {
    return send(requestId, Addresses.ACCOUNT_SESSION_START, new JsonObject().put(Fields.USER_ID, userId)
        .put(Fields.SESSION_HASH, sessionHash));
  }

  /** The user of a live session (its idle time restarts); 401 when the session is unknown, expired or its user gone. */
  public Future<JsonObject> checkSession(String requestId, String sessionHash) {
    return send(requestId, Addresses.ACCOUNT_SESSION_CHECK, new JsonObject().put(Fields.SESSION_HASH, sessionHash));
  }

  public Future<Void> endSession(String requestId, String sessionHash) {
    return send(requestId, Addresses.ACCOUNT_SESSION_END, new JsonObject().put(Fields.SESSION_HASH, sessionHash))
        .mapEmpty();
  }

  /** Stores a token of {@code userId}: {@code {id, name, hint, created_at, expires_at, last_used_at}}. */
  public Future<JsonObject> createToken(String requestId, String userId, String name, Long expiresAt, String tokenHash,
      String hint) {
    return send(requestId, Addresses.ACCOUNT_TOKEN_CREATE, new JsonObject().put(Fields.USER_ID, userId)
        .put(Fields.NAME, name).put(Fields.EXPIRES_AT, expiresAt).put(Fields.TOKEN_HASH, tokenHash).put(Fields.HINT, hint));
  }

  public Future<JsonArray> listTokens(String requestId, String userId) {
    return send(requestId, Addresses.ACCOUNT_TOKEN_LIST, new JsonObject().put(Fields.USER_ID, userId))
        .map(r -> r.getJsonArray("tokens"));
  }

  /** Revokes a token of {@code userId}; 404 when that user has no such token. */
  public Future<Void> deleteToken(String requestId, String userId, String tokenId) {
    return send(requestId, Addresses.ACCOUNT_TOKEN_DELETE, new JsonObject().put(Fields.USER_ID, userId)
        .put(Fields.TOKEN_ID, tokenId)).mapEmpty();
  }

  /** The user a live token acts for, with {@code token_id}; 401 when the token is unknown, expired or its user gone. */
  public Future<JsonObject> checkToken(String requestId, String tokenHash) {
    return send(requestId, Addresses.ACCOUNT_TOKEN_CHECK, new JsonObject().put(Fields.TOKEN_HASH, tokenHash));
  }

  /** Stores an API key of bot {@code botId}: {@code {id, bot_id, name, hint, created_at, last_used_at}}. */
  public Future<JsonObject> createBotKey(String requestId, String botId, String name, String keyHash, String hint) {
    return send(requestId, Addresses.ACCOUNT_BOT_KEY_CREATE, new JsonObject().put(Fields.BOT_ID, botId)
        .put(Fields.NAME, name).put(Fields.KEY_HASH, keyHash).put(Fields.HINT, hint));
  }

  public Future<JsonArray> listBotKeys(String requestId, String botId) {
    return send(requestId, Addresses.ACCOUNT_BOT_KEY_LIST, new JsonObject().put(Fields.BOT_ID, botId))
        .map(r -> r.getJsonArray("keys"));
  }

  /** Revokes an API key of bot {@code botId}; 404 when that bot has no such key. */
  public Future<Void> deleteBotKey(String requestId, String botId, String keyId) {
    return send(requestId, Addresses.ACCOUNT_BOT_KEY_DELETE, new JsonObject().put(Fields.BOT_ID, botId)
        .put(Fields.KEY_ID, keyId)).mapEmpty();
  }

  /** The bot a live API key opens, {@code {key_id, bot_id}}; 401 when the key is unknown or revoked. */
  public Future<JsonObject> checkBotKey(String requestId, String keyHash) {
    return send(requestId, Addresses.ACCOUNT_BOT_KEY_CHECK, new JsonObject().put(Fields.KEY_HASH, keyHash));
  }

  private Future<JsonObject> send(String requestId, String address, JsonObject body) {
    return bus.request(requestId, address, body, timeoutMs);
  }
}
