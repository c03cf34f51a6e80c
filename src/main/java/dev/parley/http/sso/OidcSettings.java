package dev.parley.http.sso;

import dev.parley.common.MailDomains;
import dev.parley.common.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code sso.oidc} configuration: {@code issuer}, {@code client_id}, {@code client_secret} (env
 * {@code PARLEY_OIDC_CLIENT_SECRET}), {@code allowed_email_domains} (empty = any), {@code role_claim} (default
 * {@code groups}), {@code role_mapping} (claim value → role), {@code provisioning: {enabled, default_role}} and
 * {@code scopes} (default openid, email, profile). A mistake fails the start with a message naming the key;
 * the client secret appears in no message and no {@link #toString()}.
 */
public record OidcSettings(String issuer, String clientId, String clientSecret, List<String> allowedEmailDomains,
    String roleClaim, Map<String, Role> roleMapping, boolean provisioning, Role defaultRole, List<String> scopes,
    String redirectUri, boolean secureCookie) {

  static final String CALLBACK_PATH = "/auth/oidc/callback";

  /** The settings, or null when {@code sso.oidc} is absent or has no issuer (single sign-on off). */
  public static OidcSettings from(JsonObject sso, String publicUrl) {
    JsonObject oidc = sso == null ? null : sso.getJsonObject("oidc");
    if (oidc == null || blank(oidc.getString("issuer"))) {
      return null;
    }
    String issuer = trimSlash(oidc.getString("issuer").trim());
    URI issuerUri = URI.create(issuer);
    if (!"https".equals(issuerUri.getScheme()) && !isLoopback(issuerUri)) {
      throw bad("issuer", "must be an https URL (http only for a loopback address)");
    }
    String clientId = oidc.getString("client_id");
    if (blank(clientId)) {
      throw bad("client_id", "is required");
    }
    String secret = oidc.getString("client_secret");
    Map<String, Role> mapping = new LinkedHashMap<>();
    JsonObject mappingJson = oidc.getJsonObject("role_mapping", new JsonObject());
    for (String value : mappingJson.fieldNames()) {
      mapping.put(value, role("role_mapping." + value, mappingJson.getValue(value)));
    }
    JsonObject provisioningJson = oidc.getJsonObject("provisioning", new JsonObject());
    boolean provisioning = provisioningJson.getBoolean("enabled", false);
    Object defaultRoleValue = provisioningJson.getValue("default_role");
    Role defaultRole = defaultRoleValue == null ? null : role("provisioning.default_role", defaultRoleValue);
    if (defaultRole == Role.OWNER) {
      throw bad("provisioning.default_role", "cannot be owner: map owners explicitly in role_mapping");
    }
    List<String> scopes = strings(oidc.getJsonArray("scopes", new JsonArray().add("openid").add("email").add("profile")));
    if (!scopes.contains("openid")) {
      scopes.add(0, "openid");
    }
    List<String> domains = new ArrayList<>();
    for (String domain : strings(oidc.getJsonArray("allowed_email_domains", new JsonArray()))) {
      domains.add(MailDomains.ascii(domain.trim().replaceFirst("^@", "")));
    }
    String base = trimSlash(publicUrl);
    return new OidcSettings(issuer, clientId.trim(), blank(secret) ? null : secret, List.copyOf(domains),
        oidc.getString("role_claim", "groups"), Map.copyOf(mapping), provisioning, defaultRole, List.copyOf(scopes),
        // a scheme is case-insensitive (RFC 3986 §3.1): HTTPS://… is https, as the session cookie decides too
        base + CALLBACK_PATH, base.regionMatches(true, 0, "https://", 0, 8));
  }

  @Override
  public String toString() {
    return "OidcSettings[issuer=" + issuer + ", client_id=" + clientId + ", client_secret="
        + (clientSecret == null ? "unset" : "set") + ", allowed_email_domains=" + allowedEmailDomains
        + ", role_claim=" + roleClaim + ", role_mapping=" + roleMapping + ", provisioning=" + provisioning
        + ", default_role=" + defaultRole + ", scopes=" + scopes + "]";
  }

  private static Role role(String key, Object value) {
    Role role = value instanceof String name ? Role.parse(name) : null;
    if (role == null) {
      throw bad(key, "must be one of owner, admin, editor, agent, viewer");
    }
    return role;
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof String text) || text.isBlank()) {
        throw new IllegalStateException("sso.oidc: lists hold non-empty strings only");
      }
      out.add(text);
    }
    return out;
  }

  private static boolean isLoopback(URI uri) {
    String host = uri.getHost();
    return "http".equals(uri.getScheme())
        && ("localhost".equals(host) || "127.0.0.1".equals(host) || "[::1]".equals(host));
  }

  private static String trimSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  private static IllegalStateException bad(String key, String problem) {
    return new IllegalStateException("sso.oidc." + key + " " + problem);
  }
}
