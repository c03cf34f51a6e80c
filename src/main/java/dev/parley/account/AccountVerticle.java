package dev.parley.account;

import dev.parley.common.Addresses;
import dev.parley.common.BusHandlers;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.common.PasswordSeal;
import dev.parley.common.SecretBox;
import dev.parley.db.Database;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the operators: users, their invites, sign-in sessions and API tokens, and failed sign-ins; and the bots' API
 * keys ({@link BotKeys}), the other credentials of the admin data. Deployed by the
 * {@code bot} role, which owns the admin data. No secret crosses the bus: the HTTP edge makes every invite,
 * session id and token, hands it out once and sends its SHA-256 ({@code *_hash}); a password travels as its
 * Argon2id hash, made and checked at the edge, and {@code password_hash} on this component's addresses is always that
 * hash sealed with the shared secret key ({@link PasswordSeal}), never the hash itself. A user is {@code {id, email, name, role, bot_ids, disabled,
 * password_set, invite_expires_at, created_at, updated_at}} ({@code bot_ids} null = every bot).
 *
 * <table>
 *   <caption>Addresses consumed</caption>
 *   <tr><td>{@code parley.account.setup.status}</td><td>{}</td><td>{@code {users: bool}}</td></tr>
 *   <tr><td>{@code parley.account.setup}</td><td>{@code {email, name, password_hash}}</td><td>the first owner; 409
 *   {@code setup_done} once any user exists; 422</td></tr>
 *   <tr><td>{@code parley.account.user.create}</td><td>{@code {actor, email, name, role, bot_ids?, invite_hash,
 *   expires_at}}</td><td>the user; 403 (an admin making an owner), 409 {@code email_taken}, 422</td></tr>
 *   <tr><td>{@code parley.account.user.list}</td><td>{}</td><td>{@code {users: […]}}</td></tr>
 *   <tr><td>{@code parley.account.user.get}</td><td>{@code {user_id}}</td><td>the user; 404</td></tr>
 *   <tr><td>{@code parley.account.user.update}</td><td>{@code {actor, user_id, patch: {email?, name?, role?,
 *   bot_ids?, disabled?}}}</td><td>the user; 403, 404, 409 {@code last_owner} or {@code email_taken}, 422. A change
 *   of role or scope, or a disabling, ends the user's sessions and tokens.</td></tr>
 *   <tr><td>{@code parley.account.user.delete}</td><td>{@code {actor, user_id}}</td><td>{}; 403, 404, 409
 *   {@code last_owner}. Sessions and tokens go with the user.</td></tr>
 *   <tr><td>{@code parley.account.user.invite}</td><td>{@code {actor, user_id, invite_hash, expires_at}}</td><td>the
 *   user, whose earlier invite no longer works; 403, 404, 409 {@code invite_not_pending} (the user has a password,
 *   or was made by single sign-on)</td></tr>
 *   <tr><td>{@code parley.account.invite.accept}</td><td>{@code {invite_hash, password_hash}}</td><td>the user; 404
 *   {@code invite_invalid} (unknown, used or past its expiry)</td></tr>
 *   <tr><td>{@code parley.account.sso.find}</td><td>{@code {email}}</td><td>{@code {user_id, role}} of the enabled user
 *   with that email, else {}</td></tr>
 *   <tr><td>{@code parley.account.sso.admit}</td><td>{@code {email, name, role, user_id?}}</td><td>the user: made
 *   without a password, or brought to {@code role} (409 {@code last_owner}, 409 {@code email_taken})</td></tr>
 *   <tr><td>{@code parley.account.login.begin}</td><td>{@code {email}}</td><td>{@code {user_id, password_hash}} of an
 *   enabled user with a password, else {}; counts the attempt as a failure until a session starts (so attempts sent at
 *   once cannot pass the limit together); 429 {@code too_many_sign_ins} with {@code retry_after}</td></tr>
 *   <tr><td>{@code parley.account.login.failed}</td><td>{@code {email}}</td><td>{} (the attempt was counted when it
 *   began)</td></tr>
 *   <tr><td>{@code parley.account.session.start}</td><td>{@code {user_id, session_hash}}</td><td>the user; 401 when the
 *   user is gone or disabled. Clears the user's failed sign-ins.</td></tr>
 *   <tr><td>{@code parley.account.session.check}</td><td>{@code {session_hash}}</td><td>the user; 401</td></tr>
 *   <tr><td>{@code parley.account.session.end}</td><td>{@code {session_hash}}</td><td>{}</td></tr>
 *   <tr><td>{@code parley.account.token.create}</td><td>{@code {user_id, name, expires_at?, token_hash, hint}}</td>
 *   <td>{@code {id, name, hint, created_at, expires_at, last_used_at}}; 409 {@code too_many_tokens}, 422</td></tr>
 *   <tr><td>{@code parley.account.bot_key.create}</td><td>{@code {bot_id, name, key_hash, hint}}</td>
 *   <td>{@code {id, bot_id, name, hint, created_at, last_used_at}}; 409 {@code too_many_keys}, 422</td></tr>
 *   <tr><td>{@code parley.account.bot_key.list}</td><td>{@code {bot_id}}</td><td>{@code {keys: […]}}</td></tr>
 *   <tr><td>{@code parley.account.bot_key.delete}</td><td>{@code {bot_id, key_id}}</td><td>{}; 404</td></tr>
 *   <tr><td>{@code parley.account.bot_key.check}</td><td>{@code {key_hash}}</td><td>{@code {key_id, bot_id}}; 401
 *   {@code invalid_api_key}</td></tr>
 *   <tr><td>{@code parley.account.token.list}</td><td>{@code {user_id}}</td><td>{@code {tokens: […]}}</td></tr>
 *   <tr><td>{@code parley.account.token.delete}</td><td>{@code {user_id, token_id}}</td><td>{}; 404</td></tr>
 *   <tr><td>{@code parley.account.token.check}</td><td>{@code {token_hash}}</td><td>the user with {@code token_id};
 *   401</td></tr>
 * </table>
 *
 * <p>Config: {@code session_idle_ms} (12 h), {@code session_max_age_ms} (7 days), {@code login_max_failures} (5),
 * {@code login_window_ms} (15 min). Expired sessions are swept every {@code sweep_ms} (10 min).
 */
public class AccountVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AccountVerticle.class);

  private Database database;
  private long sweeper = -1;

  @Override
  public Future<?> start() {
    JsonObject config = config();
    return Future.all(Database.open(vertx, config.getJsonObject("database"), config.getString("data_dir", "./data")),
        SecretBox.load(vertx, config)).compose(opened -> {
      Database db = opened.resultAt(0);
      SecretBox box = opened.resultAt(1);
      database = db;
      Users users = new Users(db);
      Sessions sessions = new Sessions(db, config.getLong("session_idle_ms", Sessions.DEFAULT_IDLE_MS),
          config.getLong("session_max_age_ms", Sessions.DEFAULT_MAX_AGE_MS));
      ApiTokens tokens = new ApiTokens(db);
      BotKeys botKeys = new BotKeys(db);
      LoginThrottle throttle = new LoginThrottle(db, config.getInteger("login_max_failures", LoginThrottle.DEFAULT_MAX_FAILURES),
          config.getLong("login_window_ms", LoginThrottle.DEFAULT_WINDOW_MS));
      sweeper = vertx.setPeriodic(config.getLong("sweep_ms", 600_000L), id -> sessions.sweep()
          .onFailure(failure -> LOG.warn("Could not sweep expired sessions: {}", failure.toString())));
      return users.rekey().compose(rekeyed -> Future.all(List.of(
          consume(Addresses.ACCOUNT_SETUP_STATUS, body -> users.any().map(any -> new JsonObject().put("users", any))),
          consume(Addresses.ACCOUNT_SETUP, body -> users.setup(PasswordSeal.opened(box, body))),
          consume(Addresses.ACCOUNT_USER_CREATE, users::create),
          consume(Addresses.ACCOUNT_USER_LIST, body -> users.list().map(list -> new JsonObject().put("users", list))),
          consume(Addresses.ACCOUNT_USER_GET, body -> users.get(Users.userId(body))),
          consume(Addresses.ACCOUNT_USER_UPDATE, users::update),
          consume(Addresses.ACCOUNT_USER_DELETE, body -> users.delete(body).map(v -> new JsonObject())),
          consume(Addresses.ACCOUNT_USER_INVITE, users::reinvite),
          consume(Addresses.ACCOUNT_INVITE_ACCEPT, body -> users.acceptInvite(PasswordSeal.opened(box, body))),
          consume(Addresses.ACCOUNT_SSO_FIND, body -> users.byEmail(email(body))),
          consume(Addresses.ACCOUNT_SSO_ADMIT, users::admit),
          consume(Addresses.ACCOUNT_LOGIN_BEGIN, body -> throttle.attempt(email(body))
              .compose(v -> users.credentials(email(body))).map(found -> PasswordSeal.sealed(box, found))),
          consume(Addresses.ACCOUNT_LOGIN_FAILED, body -> throttle.failed().map(v -> new JsonObject())),
          consume(Addresses.ACCOUNT_SESSION_START, body -> sessions.start(Users.userId(body), hash(body, Fields.SESSION_HASH))
              .compose(user -> throttle.clear(user.getString(Fields.EMAIL)).map(v -> user))),
          consume(Addresses.ACCOUNT_SESSION_CHECK, body -> sessions.check(hash(body, Fields.SESSION_HASH))),
          consume(Addresses.ACCOUNT_SESSION_END, body -> sessions.end(hash(body, Fields.SESSION_HASH)).map(v -> new JsonObject())),
          consume(Addresses.ACCOUNT_TOKEN_CREATE, tokens::create),
          consume(Addresses.ACCOUNT_TOKEN_LIST, body -> tokens.list(Users.userId(body)).map(list -> new JsonObject().put("tokens", list))),
          consume(Addresses.ACCOUNT_TOKEN_DELETE, body -> tokens.delete(Users.userId(body),
              dev.parley.common.Ids.requireEntityId(body.getString(Fields.TOKEN_ID), "Token")).map(v -> new JsonObject())),
          consume(Addresses.ACCOUNT_TOKEN_CHECK, body -> tokens.check(hash(body, Fields.TOKEN_HASH))),
          consume(Addresses.ACCOUNT_BOT_KEY_CREATE, botKeys::create),
          consume(Addresses.ACCOUNT_BOT_KEY_LIST, body -> botKeys.list(botId(body)).map(list -> new JsonObject().put("keys", list))),
          consume(Addresses.ACCOUNT_BOT_KEY_DELETE, body -> botKeys.delete(botId(body),
              dev.parley.common.Ids.requireEntityId(body.getString(Fields.KEY_ID), "API key")).map(v -> new JsonObject())),
          consume(Addresses.ACCOUNT_BOT_KEY_CHECK, body -> botKeys.check(hash(body, Fields.KEY_HASH))))));
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sweeper);
    return database == null ? Future.succeededFuture() : database.close();
  }

  private static String email(JsonObject body) {
    return body.getValue(Fields.EMAIL) instanceof String email ? email : "";
  }

  private static String botId(JsonObject body) {
    return dev.parley.common.Ids.requireEntityId(body.getString(Fields.BOT_ID), "Bot");
  }

  private static String hash(JsonObject body, String field) {
    if (body.getValue(field) instanceof String hash && hash.length() == 64) {
      return hash;
    }
    throw ParleyException.badRequest("invalid_body", field + " must be a SHA-256 in hex");
  }

  private Future<Void> consume(String address, Function<JsonObject, Future<JsonObject>> handler) {
    return BusHandlers.register(vertx, address, handler);
  }
}
