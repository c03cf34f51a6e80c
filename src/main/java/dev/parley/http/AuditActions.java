package dev.parley.http;

import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The audit name of a request and the thing it acts on, derived from its route pattern and method, so that a new
 * route is named without being listed anywhere:
 * <ul>
 *   <li>a path ending in a parameter acts on that item: {@code PUT /api/bots/:botId} is {@code bot.update}
 *   (POST and PATCH update too, DELETE is {@code delete}), target {@code bot} with the parameter's value;</li>
 *   <li>a path ending in a plural word is a collection: {@code POST /api/bots/:botId/documents} is
 *   {@code document.create} (the new item's id comes from the response), other methods as above;</li>
 *   <li>a path ending in another word is an action on what precedes it: {@code POST …/documents/:docId/retry} is
 *   {@code document.retry}, {@code POST /api/auth/login} {@code auth.login}.</li>
 * </ul>
 * {@link #OVERRIDES} names the few routes this reads wrongly. A route without a pattern (a regex route) is
 * {@code request.<method>}.
 */
final class AuditActions {

  /** {@code "METHOD /path"} → action, for routes the rules above would misname. */
  static final Map<String, String> OVERRIDES = Map.of(
      "POST /api/bots/:botId/search", "knowledge.search",
      "POST /api/bots/:botId/reindex", "knowledge.reindex");

  /** An action and its target as read from a route; {@code targetParam} is the path parameter naming the target. */
  record Naming(String action, String targetType, String targetParam, boolean creates) {
  }

  private AuditActions() {
  }

  static Naming of(HttpMethod method, String routePath) {
    String verb = method.name().toLowerCase(Locale.ROOT);
    if (routePath == null) {
      return new Naming("request." + verb, null, null, false);
    }
    List<String> segments = new ArrayList<>();
    for (String segment : routePath.split("/")) {
      if (!segment.isEmpty() && !(segments.isEmpty() && segment.equals("api"))) {
        segments.add(segment);
      }
    }
    String lastParam = null;
    String paramOf = null;
    for (int i = 0; i < segments.size(); i++) {
      if (isParam(segments.get(i))) {
        lastParam = segments.get(i).substring(1);
        paramOf = i > 0 && !isParam(segments.get(i - 1)) ? singular(segments.get(i - 1)) : null;
      }
    }
    String override = OVERRIDES.get(method.name() + " " + routePath);
    if (segments.isEmpty()) {
      return new Naming(override != null ? override : "request." + verb, null, null, false);
    }
    String last = segments.get(segments.size() - 1);
    Naming naming;
    if (isParam(last)) {
      naming = new Naming(paramOf + "." + itemVerb(method), paramOf, lastParam, false);
    } else if (isPlural(last)) {
      boolean creates = method == HttpMethod.POST;
      String type = singular(last);
      naming = new Naming(type + "." + (creates ? "create" : itemVerb(method)), creates ? type : paramOf,
          creates ? null : lastParam, creates);
    } else {
      String before = segments.size() > 1 ? segments.get(segments.size() - 2) : null;
      String subject = before == null ? null : isParam(before) ? paramOf : singular(before);
      String name = word(last);
      naming = new Naming(subject == null ? name + "." + itemVerb(method) : subject + "." + name, paramOf, lastParam,
          false);
    }
    return override == null ? naming : new Naming(override, naming.targetType(), naming.targetParam(), naming.creates());
  }

  private static String itemVerb(HttpMethod method) {
    if (method == HttpMethod.DELETE) {
      return "delete";
    }
    if (method == HttpMethod.GET) {
      return "read";
    }
    return "update";
  }

  private static boolean isParam(String segment) {
    return segment.startsWith(":");
  }

  private static boolean isPlural(String word) {
    return word.length() > 2 && word.endsWith("s") && !word.endsWith("ss");
  }

  /** {@code bots} → {@code bot}, {@code entries} → {@code entry}; the word in snake_case. */
  static String singular(String segment) {
    String word = word(segment);
    if (word.endsWith("ies") && word.length() > 3) {
      return word.substring(0, word.length() - 3) + "y";
    }
    return isPlural(word) ? word.substring(0, word.length() - 1) : word;
  }

  private static String word(String segment) {
    return segment.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
  }
}
