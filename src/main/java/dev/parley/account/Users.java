package dev.parley.account;

import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.common.Role;
import dev.parley.db.Database;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users: the first owner, invites, and the changes an owner or admin makes. The rules that hold whoever asks live
 * here, not at the edge: an admin may not create, change or delete an owner, nor make anyone an owner (403); the
 * last enabled owner cannot be deleted, demoted or disabled (409); a change of role, scope or a disabling ends the
 * user's sessions and API tokens in the same transaction, so every node refuses them from the next request on.
 */
final class Users {

  private static final Logger LOG = LoggerFactory.getLogger(Users.class);

  /** The PostgreSQL advisory lock that set-up and changes taking an owner away hold until they commit (any fixed number). */
  private static final long OWNERS_LOCK = 0x7061726c65790001L;

  private final Database database;

  Users(Database database) {
    this.database = database;
  }

  /**
   * Brings every stored e-mail key to the current rule ({@link UserFields#key}): keys made before internationalised
   * domains were compared in their ASCII form. Where two accounts turn out to be one address, both are kept as they
   * are and a warning names them. Runs at start; a no-op once done.
   */
  Future<Integer> rekey() {
    return Templates.forQuery(database.pool(), AccountSql.SELECT_EMAIL_KEYS).execute(Map.of()).compose(rows -> {
      Future<Integer> changed = Future.succeededFuture(0);
      for (Row row : rows) {
        String id = row.getString("id");
        String key = UserFields.key(row.getString(Fields.EMAIL));
        if (!key.equals(row.getString("email_key"))) {
          changed = changed.compose(n -> Templates.forUpdate(database.pool(), AccountSql.UPDATE_EMAIL_KEY)
              .execute(Map.of("id", id, "email_key", key)).map(done -> n + 1)
              .recover(failure -> {
                if (!Database.isUniqueViolation(failure)) {
                  return Future.failedFuture(failure);
                }
                LOG.warn("User {} has the same address as another account once its domain is compared in ASCII; "
                    + "both are kept: delete one", id);
                return Future.succeededFuture(n);
              }));
        }
      }
      return changed;
    });
  }

  Future<Boolean> any() {
    return Templates.forQuery(database.pool(), AccountSql.COUNT_USERS).execute(Map.of())
        .map(rows -> count(rows) > 0);
  }

  /** The first owner, while there is no user at all. */
  Future<JsonObject> setup(JsonObject input) {
    String email = UserFields.email(input.getValue(Fields.EMAIL));
    String name = UserFields.name(input.getValue(Fields.NAME));
    String passwordHash = passwordHash(input);
    return database.inTransaction(tx -> ownersLocked(tx)
        .compose(locked -> Templates.forQuery(tx, AccountSql.COUNT_USERS).execute(Map.of()))
        .compose(rows -> count(rows) > 0
            ? Future.failedFuture(new ParleyException(ErrorCodes.CONFLICT, "setup_done",
                "Parley already has users: sign in, or ask an owner for an invite"))
            : insert(tx, email, name, Role.OWNER, null, passwordHash, null, null)));
  }

  Future<JsonObject> create(JsonObject input) {
    Role actor = actorRole(input);
    JsonObject fields = input.copy();
    fields.remove(Fields.ACTOR);
    String inviteHash = fields.remove(Fields.INVITE_HASH) instanceof String hash ? hash : null;
    Object expires = fields.remove(Fields.EXPIRES_AT);
    UserFields.onlyKnown(fields, false);
    String email = UserFields.email(fields.getValue(Fields.EMAIL));
    String name = UserFields.name(fields.getValue(Fields.NAME));
    Role role = UserFields.role(fields.getValue(Fields.ROLE));
    String botIds = UserFields.botIds(fields.getValue(Fields.BOT_IDS), role);
    if (inviteHash == null || !(expires instanceof Number)) {
      throw ParleyException.badRequest("invalid_body", "A new user needs invite_hash and expires_at");
    }
    mayManage(actor, role);
    return insert(database.pool(), email, name, role, botIds, null, inviteHash, ((Number) expires).longValue());
  }

  Future<JsonArray> list() {
    return Templates.forQuery(database.pool(), AccountSql.SELECT_USERS).execute(Map.of()).map(rows -> {
      JsonArray users = new JsonArray();
      rows.forEach(row -> users.add(UserFields.view(row.toJson().getMap())));
      return users;
    });
  }

  Future<JsonObject> get(String id) {
    return load(database.pool(), id).map(UserFields::view);
  }

  Future<JsonObject> update(JsonObject input) {
    Role actor = actorRole(input);
    String id = userId(input);
    JsonObject patch = input.getValue(Fields.PATCH) instanceof JsonObject p ? p : null;
    if (patch == null) {
      throw ParleyException.badRequest("invalid_body", "The update must be a JSON object");
    }
    UserFields.onlyKnown(patch, true);
    return database.inTransaction(tx -> lockedLoad(tx, id).compose(current -> {
      Role was = Role.parse((String) current.get(Fields.ROLE));
      Role role = patch.containsKey(Fields.ROLE) ? UserFields.role(patch.getValue(Fields.ROLE)) : was;
      mayManage(actor, was);
      mayManage(actor, role);
      Map<String, Object> row = new HashMap<>(current);
      String email = patch.containsKey(Fields.EMAIL) ? UserFields.email(patch.getValue(Fields.EMAIL))
          : (String) current.get(Fields.EMAIL);
      row.put(Fields.EMAIL, email);
      row.put("email_key", UserFields.key(email));
      row.put(Fields.NAME, patch.containsKey(Fields.NAME) ? UserFields.name(patch.getValue(Fields.NAME)) : current.get(Fields.NAME));
      row.put(Fields.ROLE, role.wire());
      Object scope = patch.containsKey(Fields.BOT_IDS) ? patch.getValue(Fields.BOT_IDS)
          : current.get(Fields.BOT_IDS) instanceof String json && !role.atLeast(Role.ADMIN) ? new JsonArray(json) : null;
      row.put(Fields.BOT_IDS, UserFields.botIds(scope, role));
      boolean wasDisabled = ((Number) current.get("disabled")).intValue() != 0;
      boolean disabled = patch.containsKey("disabled") ? UserFields.disabled(patch.getValue("disabled")) : wasDisabled;
      row.put("disabled", disabled ? 1 : 0);
      row.put("updated_at", nextUpdatedAt(current));
      boolean lessOwner = was == Role.OWNER && (role != Role.OWNER || disabled);
      boolean revoke = role != was || disabled && !wasDisabled
          || !Objects.equals(row.get(Fields.BOT_IDS), current.get(Fields.BOT_IDS));
      return (lessOwner ? notLastOwner(tx, id) : Future.<Void>succeededFuture())
          .compose(ok -> Templates.forUpdate(tx, AccountSql.UPDATE_USER).execute(row))
          .compose(done -> revoke ? revokeAll(tx, id) : Future.succeededFuture())
          .map(done -> UserFields.view(row));
    })).recover(Users::duplicateEmail);
  }

  Future<Void> delete(JsonObject input) {
    Role actor = actorRole(input);
    String id = userId(input);
    return database.inTransaction(tx -> lockedLoad(tx, id).compose(current -> {
      Role role = Role.parse((String) current.get(Fields.ROLE));
      mayManage(actor, role);
      return (role == Role.OWNER ? notLastOwner(tx, id) : Future.<Void>succeededFuture())
          .compose(ok -> revokeAll(tx, id))
          .compose(ok -> Templates.forUpdate(tx, AccountSql.DELETE_USER).execute(Map.of("id", id)))
          .mapEmpty();
    }));
  }

  /**
   * Makes a new invite ({@code invite_hash}, {@code expires_at}) for an invited user who has not set a password yet,
   * expired or not; the earlier one stops working. 409 {@code invite_not_pending} for a user with a password, made by
   * single sign-on (never invited), let in by it (the invite used up), or with a session or an API token.
   */
  Future<JsonObject> reinvite(JsonObject input) {
    Role actor = actorRole(input);
    String id = userId(input);
    String inviteHash = input.getValue(Fields.INVITE_HASH) instanceof String hash ? hash : null;
    if (inviteHash == null || !(input.getValue(Fields.EXPIRES_AT) instanceof Number expires)) {
      throw ParleyException.badRequest("invalid_body", "A new invite needs invite_hash and expires_at");
    }
    return database.inTransaction(tx -> lockedLoad(tx, id).compose(current -> {
      mayManage(actor, Role.parse((String) current.get(Fields.ROLE)));
      Map<String, Object> row = new HashMap<>(current);
      row.put(Fields.INVITE_HASH, inviteHash);
      row.put("invite_expires_at", expires.longValue());
      row.put("updated_at", nextUpdatedAt(current));
      return Templates.forUpdate(tx, AccountSql.RENEW_INVITE).execute(row).compose(done -> done.rowCount() == 0
          ? Future.failedFuture(new ParleyException(ErrorCodes.CONFLICT, "invite_not_pending",
              "This user has set a password or signs in with single sign-on: there is no invite to send again"))
          : Future.succeededFuture(UserFields.view(row)));
    }));
  }

  /** Sets the password of the user an unused, unexpired invite was made for, and uses the invite up. */
  Future<JsonObject> acceptInvite(JsonObject input) {
    String inviteHash = input.getValue(Fields.INVITE_HASH) instanceof String hash ? hash : "";
    String passwordHash = passwordHash(input);
    ParleyException invalid = new ParleyException(ErrorCodes.NOT_FOUND, "invite_invalid",
        "This invite is unknown, used or expired: ask for a new one");
    return database.inTransaction(tx -> Templates.forQuery(tx, AccountSql.SELECT_USER_BY_INVITE)
        .execute(Map.of(Fields.INVITE_HASH, inviteHash)).compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(invalid);
          }
          Map<String, Object> user = rows.iterator().next().toJson().getMap();
          Object expires = user.get("invite_expires_at");
          if (!(expires instanceof Number at) || at.longValue() < System.currentTimeMillis()) {
            return Future.failedFuture(invalid);
          }
          Map<String, Object> change = new HashMap<>();
          change.put("id", user.get("id"));
          change.put(Fields.INVITE_HASH, inviteHash);
          change.put(Fields.PASSWORD_HASH, passwordHash);
          change.put("updated_at", System.currentTimeMillis());
          return Templates.forUpdate(tx, AccountSql.SET_PASSWORD).execute(change).compose(done -> done.rowCount() == 0
              ? Future.failedFuture(invalid) : Future.succeededFuture(UserFields.view(user)));
        }));
  }

  /** {@code {user_id, password_hash}} of the enabled user with this email and a password, or {}. */
  Future<JsonObject> credentials(String email) {
    return Templates.forQuery(database.pool(), AccountSql.SELECT_USER_BY_EMAIL)
        .execute(Map.of("email_key", UserFields.key(email))).map(rows -> {
          if (rows.size() == 0) {
            return new JsonObject();
          }
          Row row = rows.iterator().next();
          String hash = row.getString("password_hash");
          return hash == null || row.getInteger("disabled") != 0 ? new JsonObject()
              : new JsonObject().put(Fields.USER_ID, row.getString("id")).put(Fields.PASSWORD_HASH, hash);
        });
  }

  /** {@code {user_id, role}} of the enabled user with this email, or {} (single sign-on looks people up here). */
  Future<JsonObject> byEmail(String email) {
    return Templates.forQuery(database.pool(), AccountSql.SELECT_USER_BY_EMAIL)
        .execute(Map.of("email_key", UserFields.key(email))).map(rows -> {
          if (rows.size() == 0) {
            return new JsonObject();
          }
          Row row = rows.iterator().next();
          return row.getInteger("disabled") != 0 ? new JsonObject()
              : new JsonObject().put(Fields.USER_ID, row.getString("id")).put(Fields.ROLE, row.getString(Fields.ROLE));
        });
  }

  /**
   * Admits a person single sign-on vouched for: {@code {email, name, role, user_id?}}. Without {@code user_id} the
   * account is made with that role and no password (they sign in through the provider); with it, an invite still open
   * is used up (else whoever holds or renews its link could set a password on an account its person uses), and the stored role is
   * brought to {@code role} as an owner's change would (sessions and tokens end when it changes; the last owner
   * stays). Answers the user.
   */
  Future<JsonObject> admit(JsonObject input) {
    Role role = UserFields.role(input.getValue(Fields.ROLE));
    JsonObject system = new JsonObject().put(Fields.ROLE, Role.OWNER.wire());
    if (input.getValue(Fields.USER_ID) instanceof String id) {
      return Templates.forUpdate(database.pool(), AccountSql.USE_UP_INVITE).execute(Map.of("id", id))
          .compose(usedUp -> get(id))
          .compose(user -> role.wire().equals(user.getString(Fields.ROLE)) ? Future.succeededFuture(user)
          : update(new JsonObject().put(Fields.ACTOR, system).put(Fields.USER_ID, id)
              .put(Fields.PATCH, new JsonObject().put(Fields.ROLE, role.wire()))));
    }
    String email = UserFields.email(input.getValue(Fields.EMAIL));
    String name = UserFields.name(input.getValue(Fields.NAME));
    return insert(database.pool(), email, name, role, null, null, null, null);
  }

  /** Now, or just after the row's last change when the clock is behind it: each change is later than the one before. */
  private static long nextUpdatedAt(Map<String, Object> current) {
    return Math.max(System.currentTimeMillis(), ((Number) current.get("updated_at")).longValue() + 1);
  }

  static Future<Void> revokeAll(SqlClient tx, String userId) {
    return Templates.forUpdate(tx, AccountSql.DELETE_SESSIONS_OF).execute(Map.of(Fields.USER_ID, userId))
        .compose(done -> Templates.forUpdate(tx, AccountSql.DELETE_TOKENS_OF).execute(Map.of(Fields.USER_ID, userId)))
        .mapEmpty();
  }

  private Future<JsonObject> insert(SqlClient client, String email, String name, Role role, String botIds,
      String passwordHash, String inviteHash, Long inviteExpiresAt) {
    long now = System.currentTimeMillis();
    Map<String, Object> row = new HashMap<>();
    row.put("id", Ids.prefixed("usr"));
    row.put(Fields.EMAIL, email);
    row.put("email_key", UserFields.key(email));
    row.put(Fields.NAME, name);
    row.put(Fields.ROLE, role.wire());
    row.put(Fields.BOT_IDS, botIds);
    row.put(Fields.PASSWORD_HASH, passwordHash);
    row.put(Fields.INVITE_HASH, inviteHash);
    row.put("invite_expires_at", inviteExpiresAt);
    row.put("disabled", 0);
    row.put(Fields.CREATED_AT, now);
    row.put("updated_at", now);
    return Templates.forUpdate(client, AccountSql.INSERT_USER).execute(row).map(done -> UserFields.view(row))
        .recover(Users::duplicateEmail);
  }

  private static <T> Future<T> duplicateEmail(Throwable failure) {
    return Future.failedFuture(Database.isUniqueViolation(failure)
        ? new ParleyException(ErrorCodes.CONFLICT, "email_taken", "A user with this email already exists", Fields.EMAIL, 0)
        : failure);
  }

  /**
   * Before a transaction counts users or owners to decide a change (the first owner's set-up, taking an owner away):
   * on PostgreSQL, whose transactions are READ COMMITTED, two such changes each counted before the other wrote and
   * both committed (two first owners, or none left). The count waits here for the other's commit (a lock held to the
   * end of the transaction) and then sees it. SQLite's writers already run one at a time ({@code BEGIN IMMEDIATE}).
   */
  private Future<?> ownersLocked(SqlClient tx) {
    return database.lockFor(tx, OWNERS_LOCK);
  }

  /** Refuses a change that would leave no enabled owner ({@link #ownersLocked} first). */
  private Future<Void> notLastOwner(SqlClient tx, String id) {
    return ownersLocked(tx).compose(locked -> Templates.forQuery(tx, AccountSql.COUNT_OTHER_OWNERS).execute(Map.of("id", id))).compose(rows ->
        count(rows) > 0 ? Future.succeededFuture() : Future.failedFuture(new ParleyException(ErrorCodes.CONFLICT,
            "last_owner", "Parley needs at least one owner: make someone else an owner first")));
  }

  /** Only an owner manages owners. */
  private static void mayManage(Role actor, Role target) {
    if (target == Role.OWNER && actor != Role.OWNER) {
      throw new ParleyException(ErrorCodes.FORBIDDEN, "forbidden", "Only an owner can manage owners");
    }
  }

  /**
   * The user, read for a change that writes the whole row back: on PostgreSQL (READ COMMITTED) two changes of one user
   * sent at once each read it before the other wrote, and the later write undid the earlier (a rename re-enabled a user
   * being disabled, or an admin's edit wrote back the role an owner had just changed). The read waits here for the
   * other's commit and then sees it; SQLite's writers already run one at a time.
   */
  private Future<Map<String, Object>> lockedLoad(SqlClient tx, String id) {
    return database.lockFor(tx, "users:" + id).compose(locked -> load(tx, id));
  }

  private static Future<Map<String, Object>> load(SqlClient client, String id) {
    return Templates.forQuery(client, AccountSql.SELECT_USER).execute(Map.of("id", id)).compose(rows ->
        rows.size() == 0 ? Future.failedFuture(ParleyException.notFound("User"))
            : Future.succeededFuture(rows.iterator().next().toJson().getMap()));
  }

  private static Role actorRole(JsonObject input) {
    JsonObject actor = input.getValue(Fields.ACTOR) instanceof JsonObject a ? a : new JsonObject();
    Role role = Role.parse(actor.getString(Fields.ROLE));
    if (role == null) {
      throw new ParleyException(ErrorCodes.FORBIDDEN, "forbidden", "A user change needs its actor");
    }
    return role;
  }

  static String userId(JsonObject input) {
    return Ids.requireEntityId(input.getString(Fields.USER_ID), "User");
  }

  private static String passwordHash(JsonObject input) {
    if (input.getValue(Fields.PASSWORD_HASH) instanceof String hash && hash.startsWith("$argon2id$")) {
      return hash;
    }
    throw ParleyException.badRequest("invalid_body", "password_hash must be an Argon2id hash");
  }

  private static long count(RowSet<Row> rows) {
    return rows.iterator().next().getLong("n");
  }
}
