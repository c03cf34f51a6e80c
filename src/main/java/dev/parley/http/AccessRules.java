package dev.parley.http;

import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one table of who may use which admin route: method and path (as mounted, {@code :botId} and all) to the
 * {@link Permission} it needs. A request that no rule matches is refused (403), whoever makes it: a new route
 * works only once it is added here (AccessRulesTest walks the router and fails for a route left out). Every path
 * that starts like a rule's ({@link #guardedPrefixes()}) is authenticated first.
 */
final class AccessRules {

  /** One row of the table. */
  record Rule(HttpMethod method, String path, Permission permission, Pattern pattern) {

    /** The {@code botId} the request names, "" when the path names none, or null when the rule does not match. */
    String match(HttpMethod requested, String requestPath) {
      if (!method.equals(requested)) {
        return null;
      }
      Matcher matcher = pattern.matcher(requestPath);
      if (!matcher.matches()) {
        return null;
      }
      return path.contains(":botId") ? matcher.group("botId") : "";
    }
  }

  static final List<Rule> RULES = new ArrayList<>();

  static {
    rule(HttpMethod.GET, "/api/bots", Permission.BOTS_READ);
    rule(HttpMethod.POST, "/api/bots", Permission.BOTS_CREATE);
    rule(HttpMethod.GET, "/api/bots/:botId", Permission.BOTS_READ);
    rule(HttpMethod.PUT, "/api/bots/:botId", Permission.BOTS_WRITE);
    rule(HttpMethod.DELETE, "/api/bots/:botId", Permission.BOTS_WRITE);
    rule(HttpMethod.GET, "/api/bots/:botId/conversations", Permission.CONVERSATIONS_READ);
    // before :conversationId, which matches "export" too (the first matching row decides)
    rule(HttpMethod.GET, "/api/bots/:botId/conversations/export", Permission.CONVERSATIONS_EXPORT);
    rule(HttpMethod.GET, "/api/bots/:botId/conversations/:conversationId", Permission.CONVERSATIONS_READ);
    rule(HttpMethod.POST, "/api/bots/:botId/conversations/:conversationId/assign", Permission.CONVERSATIONS_HANDLE);
    rule(HttpMethod.POST, "/api/bots/:botId/conversations/:conversationId/messages", Permission.CONVERSATIONS_HANDLE);
    rule(HttpMethod.POST, "/api/bots/:botId/conversations/:conversationId/notes", Permission.CONVERSATIONS_HANDLE);
    rule(HttpMethod.POST, "/api/bots/:botId/conversations/:conversationId/release", Permission.CONVERSATIONS_HANDLE);
    rule(HttpMethod.POST, "/api/bots/:botId/conversations/:conversationId/close", Permission.CONVERSATIONS_HANDLE);
    rule(HttpMethod.GET, "/api/inbox", Permission.CONVERSATIONS_HANDLE);
    rule(HttpMethod.GET, "/api/inbox/events", Permission.CONVERSATIONS_HANDLE);
    rule(HttpMethod.GET, "/api/bots/:botId/stats", Permission.USAGE_READ);
    rule(HttpMethod.DELETE, "/api/bots/:botId/sessions/:sessionId", Permission.CONVERSATIONS_ERASE);
    rule(HttpMethod.GET, "/api/bots/:botId/documents", Permission.KNOWLEDGE_READ);
    rule(HttpMethod.GET, "/api/bots/:botId/documents/:docId", Permission.KNOWLEDGE_READ);
    rule(HttpMethod.POST, "/api/bots/:botId/search", Permission.KNOWLEDGE_READ);
    rule(HttpMethod.POST, "/api/bots/:botId/documents", Permission.KNOWLEDGE_WRITE);
    rule(HttpMethod.DELETE, "/api/bots/:botId/documents/:docId", Permission.KNOWLEDGE_WRITE);
    rule(HttpMethod.POST, "/api/bots/:botId/documents/:docId/retry", Permission.KNOWLEDGE_WRITE);
    rule(HttpMethod.POST, "/api/bots/:botId/documents/:docId/sync", Permission.KNOWLEDGE_WRITE);
    rule(HttpMethod.POST, "/api/bots/:botId/reindex", Permission.KNOWLEDGE_WRITE);
    rule(HttpMethod.GET, "/api/bots/:botId/api-keys", Permission.BOTS_WRITE);
    rule(HttpMethod.POST, "/api/bots/:botId/api-keys", Permission.BOTS_WRITE);
    rule(HttpMethod.DELETE, "/api/bots/:botId/api-keys/:keyId", Permission.BOTS_WRITE);
    rule(HttpMethod.POST, "/api/bots/:botId/tools/:toolName/test", Permission.BOTS_WRITE);
    rule(HttpMethod.POST, "/api/bots/:botId/tools/:toolName/refresh", Permission.BOTS_WRITE);
    rule(HttpMethod.GET, "/api/bots/:botId/answers", Permission.KNOWLEDGE_READ);
    rule(HttpMethod.POST, "/api/bots/:botId/answers", Permission.KNOWLEDGE_WRITE);
    // before :answerId, which matches "export" and "import" too (the first matching row decides)
    rule(HttpMethod.GET, "/api/bots/:botId/answers/export", Permission.KNOWLEDGE_READ);
    rule(HttpMethod.POST, "/api/bots/:botId/answers/import", Permission.KNOWLEDGE_WRITE);
    rule(HttpMethod.GET, "/api/bots/:botId/answers/:answerId", Permission.KNOWLEDGE_READ);
    rule(HttpMethod.PUT, "/api/bots/:botId/answers/:answerId", Permission.KNOWLEDGE_WRITE);
    rule(HttpMethod.DELETE, "/api/bots/:botId/answers/:answerId", Permission.KNOWLEDGE_WRITE);
    // the questions visitors asked (as in their conversations); runs cost model calls (as knowledge changes do)
    rule(HttpMethod.GET, "/api/bots/:botId/gaps", Permission.CONVERSATIONS_READ);
    rule(HttpMethod.POST, "/api/bots/:botId/evaluations", Permission.KNOWLEDGE_WRITE);
    rule(HttpMethod.GET, "/api/bots/:botId/evaluations", Permission.KNOWLEDGE_READ);
    rule(HttpMethod.GET, "/api/bots/:botId/evaluations/:evalId", Permission.KNOWLEDGE_READ);
    rule(HttpMethod.GET, "/api/users", Permission.USERS_READ);
    rule(HttpMethod.POST, "/api/users", Permission.USERS_MANAGE);
    rule(HttpMethod.GET, "/api/users/:userId", Permission.USERS_READ);
    rule(HttpMethod.PUT, "/api/users/:userId", Permission.USERS_MANAGE);
    rule(HttpMethod.DELETE, "/api/users/:userId", Permission.USERS_MANAGE);
    rule(HttpMethod.POST, "/api/users/:userId/invite", Permission.USERS_MANAGE);
    rule(HttpMethod.GET, "/api/me", Permission.SELF);
    rule(HttpMethod.GET, "/api/tokens", Permission.SELF);
    rule(HttpMethod.POST, "/api/tokens", Permission.SELF);
    rule(HttpMethod.DELETE, "/api/tokens/:tokenId", Permission.SELF);
    rule(HttpMethod.GET, "/api/audit", Permission.AUDIT_READ);
    rule(HttpMethod.GET, "/metrics", Permission.METRICS_READ);
  }

  private AccessRules() {
  }

  private static void rule(HttpMethod method, String path, Permission permission) {
    StringBuilder regex = new StringBuilder("^");
    for (String segment : path.substring(1).split("/")) {
      regex.append('/').append(segment.startsWith(":") ? "(?<" + segment.substring(1) + ">[^/]+)" : Pattern.quote(segment));
    }
    RULES.add(new Rule(method, path, permission, Pattern.compile(regex.append("/?$").toString())));
  }

  /** The rule for a request, or null: refused. */
  static Rule find(HttpMethod method, String path) {
    for (Rule rule : RULES) {
      if (rule.match(method, path) != null) {
        return rule;
      }
    }
    return null;
  }

  /** Whether a mounted route (method and path as mounted) has its row. */
  static boolean covers(HttpMethod method, String mountedPath) {
    return RULES.stream().anyMatch(rule -> rule.method().equals(method) && rule.path().equals(mountedPath));
  }

  /** The first two segments of each rule's path ({@code /api/bots}, {@code /metrics}): what is authenticated. */
  static Set<String> guardedPrefixes() {
    Set<String> prefixes = new LinkedHashSet<>();
    for (Rule rule : RULES) {
      String[] parts = rule.path().split("/");
      prefixes.add(parts.length > 2 ? "/" + parts[1] + "/" + parts[2] : rule.path());
    }
    return prefixes;
  }
}
