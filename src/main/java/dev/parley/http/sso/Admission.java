package dev.parley.http.sso;

import dev.parley.common.ErrorCodes;
import dev.parley.common.MailDomains;
import dev.parley.common.ParleyException;
import dev.parley.common.Role;
import dev.parley.common.UnicodeText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Optional;

/**
 * Who may come in, and with which role, once the ID token is known to be genuine. The email must be verified
 * (when the token says) and in an allowed domain. The role:
 * <ul>
 *   <li>with a {@code role_mapping}, the provider decides: the highest role mapped from the values of
 *       {@code role_claim}; with none of them, {@code provisioning.default_role} when provisioning is on, otherwise
 *       refused ({@code sso_no_role});</li>
 *   <li>without a mapping, Parley decides: an existing account keeps its role, a new one gets the default role.</li>
 * </ul>
 * An email with no account is refused unless provisioning is on ({@code sso_unknown_user}).
 */
final class Admission {

  private final OidcSettings settings;

  Admission(OidcSettings settings) {
    this.settings = settings;
  }

  /** The verified, allowed email of the token (lower case); refused otherwise. */
  String email(JsonObject claims) {
    Object email = claims.getValue("email");
    if (!(email instanceof String text) || text.isBlank() || text.indexOf('@') < 1) {
      throw refused("sso_email_missing", "The identity provider did not give an email address (scope email)");
    }
    Object verified = claims.getValue("email_verified");
    if (verified != null && !Boolean.TRUE.equals(verified) && !"true".equals(verified)) {
      throw refused("sso_email_unverified", "The identity provider has not verified this email address");
    }
    String address = text.trim().toLowerCase(Locale.ROOT);
    String domain = MailDomains.ascii(address.substring(address.lastIndexOf('@') + 1));
    if (!settings.allowedEmailDomains().isEmpty() && !settings.allowedEmailDomains().contains(domain)) {
      throw refused("sso_domain_refused", "Accounts of " + domain + " may not sign in here");
    }
    return address;
  }

  /** The identity to sign in, given the account that has this email, if any. */
  VerifiedIdentity admit(JsonObject claims, String email, Optional<ExistingUser> existing) {
    if (existing.isEmpty() && !settings.provisioning()) {
      throw refused("sso_unknown_user", "No account has this email address: ask an administrator to invite you");
    }
    Role role;
    if (!settings.roleMapping().isEmpty()) {
      role = mapped(claims.getValue(settings.roleClaim()));
      if (role == null) {
        role = settings.provisioning() ? settings.defaultRole() : null;
      }
      if (role == null) {
        throw refused("sso_no_role", "Your groups at the identity provider give no role here");
      }
    } else if (existing.isPresent()) {
      role = existing.get().role();
    } else {
      role = settings.defaultRole();
      if (role == null) {
        throw refused("sso_no_role", "Single sign-on has no default role for new accounts");
      }
    }
    return new VerifiedIdentity(claims.getString("sub"), email, displayName(claims, email), role, existing.map(ExistingUser::id).orElse(null));
  }

  /**
   * The person's display name: the token's {@code name}, else its given and family names, else made from the email's
   * local part ("jo.ann_lee" → "Jo Ann Lee"). Never the address itself: visitors see an agent's name when a person
   * takes their conversation over.
   */
  static String displayName(JsonObject claims, String email) {
    String name = text(claims, "name");
    if (name.isEmpty()) {
      name = (text(claims, "given_name") + " " + text(claims, "family_name")).strip();
    }
    if (name.isEmpty()) {
      StringBuilder made = new StringBuilder();
      for (String word : email.substring(0, email.indexOf('@')).split("[._+\\-]+")) {
        if (!word.isEmpty()) {
          made.append(made.length() == 0 ? "" : " ").append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
        }
      }
      name = made.length() == 0 ? "Agent" : made.toString();
    }
    return UnicodeText.prefix(name, 100).strip();
  }

  /** A claim's text on one line (a provider's claims are not checked as a form's fields are). */
  private static String text(JsonObject claims, String claim) {
    return claims.getValue(claim) instanceof String text ? UnicodeText.oneLine(text) : "";
  }

  /** The highest role any value of the claim maps to (the claim is a string or a list of strings). */
  private Role mapped(Object claim) {
    JsonArray values = claim instanceof JsonArray array ? array
        : claim instanceof String text ? new JsonArray().add(text) : new JsonArray();
    Role best = null;
    for (Object value : values) {
      Role role = value instanceof String text ? settings.roleMapping().get(text) : null;
      if (role != null && (best == null || role.atLeast(best))) {
        best = role;
      }
    }
    return best;
  }

  static ParleyException refused(String code, String message) {
    return new ParleyException(ErrorCodes.FORBIDDEN, code, message);
  }
}
