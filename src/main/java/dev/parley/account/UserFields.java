package dev.parley.account;

import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.MailDomains;
import dev.parley.common.ParleyException;
import dev.parley.common.Role;
import dev.parley.common.UnicodeText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rules of a user's fields, each refusal a 422 naming the field: {@code email} (an address, at most 254
 * characters, unique without regard to case), {@code name} (1 to 100 characters, one line), {@code role} (a {@link Role}),
 * {@code bot_ids} (null for every bot, or at most {@link #MAX_BOTS} bot ids; only editors, agents and viewers are
 * scoped), {@code disabled} (a boolean, updates only). Any other field is refused too.
 */
final class UserFields {

  static final int MAX_BOTS = 1_000;
  private static final Set<String> CREATE = Set.of(Fields.EMAIL, Fields.NAME, Fields.ROLE, Fields.BOT_IDS);
  private static final Set<String> UPDATE = Set.of(Fields.EMAIL, Fields.NAME, Fields.ROLE, Fields.BOT_IDS, "disabled");

  private UserFields() {
  }

  /** The trimmed address, or a 422 on {@code email}. */
  static String email(Object value) {
    if (value instanceof String text) {
      String email = text.strip();
      if (MailDomains.isPlainAddress(email)) {
        return email;
      }
    }
    throw ParleyException.invalid(Fields.EMAIL, "email must be an email address");
  }

  /**
   * What makes two addresses the same account: case does not count, and an internationalised domain is the same as its
   * ASCII form ({@code bücher.de} and {@code xn--bcher-kva.de}, one mailbox).
   */
  static String key(String email) {
    return MailDomains.address(email);
  }

  /** A display name (a person's, an API token's, a bot key's): trimmed, 1 to 100 characters, one line; else a 422. */
  static String name(Object value) {
    if (value instanceof String text && !text.isBlank() && text.strip().length() <= 100) {
      if (UnicodeText.hasControlOrInvisible(text.strip())) {
        throw ParleyException.invalid(Fields.NAME, "name must be one line, without control characters");
      }
      return text.strip();
    }
    throw ParleyException.invalid(Fields.NAME, "name must be 1 to 100 characters");
  }

  static Role role(Object value) {
    Role role = value instanceof String text ? Role.parse(text) : null;
    if (role == null) {
      throw ParleyException.invalid(Fields.ROLE, "role must be one of owner, admin, editor, agent, viewer");
    }
    return role;
  }

  /** The scope as stored (sorted JSON text), null for every bot; owners and admins are never scoped. */
  static String botIds(Object value, Role role) {
    if (value == null) {
      return null;
    }
    if (role.atLeast(Role.ADMIN)) {
      throw ParleyException.invalid(Fields.BOT_IDS, "bot_ids narrows editors, agents and viewers only");
    }
    if (!(value instanceof JsonArray array) || array.size() > MAX_BOTS) {
      throw ParleyException.invalid(Fields.BOT_IDS, "bot_ids must be a list of at most " + MAX_BOTS + " bot ids");
    }
    TreeSet<String> ids = new TreeSet<>();
    for (Object id : array) {
      if (!(id instanceof String text) || !Ids.isEntityId(text)) {
        throw ParleyException.invalid(Fields.BOT_IDS, "bot_ids must hold bot ids");
      }
      ids.add(text);
    }
    return new JsonArray(ids.stream().toList()).encode();
  }

  static void onlyKnown(JsonObject input, boolean update) {
    Set<String> known = update ? UPDATE : CREATE;
    for (String field : input.fieldNames()) {
      if (!known.contains(field)) {
        throw ParleyException.invalid(field, "Unknown field '" + field + "'");
      }
    }
  }

  static boolean disabled(Object value) {
    if (value instanceof Boolean flag) {
      return flag;
    }
    throw ParleyException.invalid("disabled", "disabled must be true or false");
  }

  /** A user as the API shows it: never a password or invite hash. */
  static JsonObject view(Map<String, Object> row) {
    Object scope = row.get(Fields.BOT_IDS);
    JsonObject user = new JsonObject()
        .put("id", row.get("id"))
        .put(Fields.EMAIL, row.get(Fields.EMAIL))
        .put(Fields.NAME, row.get(Fields.NAME))
        .put(Fields.ROLE, row.get(Fields.ROLE))
        .put(Fields.BOT_IDS, scope instanceof String json ? new JsonArray(json) : null)
        .put("disabled", ((Number) row.get("disabled")).intValue() != 0)
        .put(Fields.CREATED_AT, ((Number) row.get(Fields.CREATED_AT)).longValue())
        .put("updated_at", ((Number) row.get("updated_at")).longValue());
    if (row.containsKey("password_hash")) {
      user.put("password_set", row.get("password_hash") != null);
      Object expires = row.get("invite_expires_at");
      user.put("invite_expires_at", expires == null ? null : ((Number) expires).longValue());
    }
    return user;
  }
}
