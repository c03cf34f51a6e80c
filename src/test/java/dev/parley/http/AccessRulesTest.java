package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Role;
import dev.parley.testing.Await;
import dev.parley.testing.Operators;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The access table against the real router: every admin route has its row (a route left out fails here, and is
 * refused in service), and every admin route × every role, unscoped and scoped to another bot, gets what the table
 * says: allowed (anything but 401 and 403), 403, or 404 {@code not_found} for a bot outside the scope.
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 240, timeUnit = TimeUnit.SECONDS)
class AccessRulesTest {

  /** Routes anyone may call: the chat API and the ways in. */
  private static final List<String> PUBLIC = List.of("/api/chat/", "/api/auth/", "/api/setup", "/api/invites/");
  /** A bot id that names no bot: an allowed request reaches the handler and gets its 404 or 422. */
  private static final String MISSING_BOT = "bot_missing0000000000";

  private static TestApp app;
  private static List<Route> routes;
  private static final Map<Role, String> UNSCOPED = new EnumMap<>(Role.class);
  private static final Map<Role, String> SCOPED = new EnumMap<>(Role.class);
  private static String otherBot;

  @ParleyConfig
  static JsonObject config() {
    return Operators.manySignIns();
  }

  @BeforeAll
  static void people() {
    routes = Await.result(RouterAccess.routes(app.vertx, app.config));
    Operators people = new Operators(app);
    otherBot = Await.result(app.createBot(new JsonObject().put("name", "out of scope"))).getString("id");
    for (Role role : Role.values()) {
      UNSCOPED.put(role, people.token(people.person(role.wire(), null), "matrix"));
      if (!role.atLeast(Role.ADMIN)) {
        SCOPED.put(role, people.token(people.person(role.wire(), new JsonArray().add(MISSING_BOT)), "matrix"));
      }
    }
  }

  /** The admin routes the router serves: exact paths with methods, under /api/ but not public, and /metrics. */
  private static List<String[]> adminRoutes() {
    List<String[]> admin = new ArrayList<>();
    for (Route route : routes) {
      String path = route.getPath();
      if (path == null || !route.isExactPath() || route.methods() == null || route.methods().isEmpty()) {
        continue;
      }
      boolean isAdmin = path.equals("/metrics")
          || path.startsWith("/api/") && PUBLIC.stream().noneMatch(path::startsWith);
      if (isAdmin) {
        for (HttpMethod method : route.methods()) {
          admin.add(new String[] {method.name(), path});
        }
      }
    }
    return admin;
  }

  /**
   * Every route with a path parameter or a regular expression that is tried before a visitor's turn builds a matcher
   * for the turn's path: the chat routes come first, behind only the routes that set a larger body limit.
   */
  @Test
  void a_visitors_turn_is_matched_before_any_admin_route_with_a_path_parameter() {
    int turn = -1;
    for (int i = 0; i < routes.size() && turn < 0; i++) {
      Route route = routes.get(i);
      if ("/api/chat/:botId".equals(route.getPath()) && route.methods() != null
          && route.methods().contains(HttpMethod.POST)) {
        turn = i;
      }
    }
    assertThat(turn).as("the turn's route").isNotNegative();
    List<String> matchedBefore = new ArrayList<>();
    for (Route route : routes.subList(0, turn)) {
      if (route.isRegexPath()) {
        matchedBefore.add(route.getPath() == null ? "a regular expression" : route.getPath());
      }
    }
    assertThat(matchedBefore).allMatch(path -> path.startsWith("/api/chat/")
        || List.of("/api/bots/:botId/documents", AnswersHandler.IMPORT, "/api/bots/:botId/evaluations").contains(path));
  }

  @Test
  void every_admin_route_on_the_router_has_a_row_in_the_access_table_and_is_authenticated() {
    List<String> missing = new ArrayList<>();
    List<String> unguarded = new ArrayList<>();
    for (String[] route : adminRoutes()) {
      if (!AccessRules.covers(HttpMethod.valueOf(route[0]), route[1])) {
        missing.add(route[0] + " " + route[1]);
      }
      if (AccessRules.guardedPrefixes().stream().noneMatch(route[1]::startsWith)) {
        unguarded.add(route[0] + " " + route[1]);
      }
    }
    assertThat(adminRoutes()).hasSizeGreaterThan(20);
    assertThat(missing).as("admin routes without a row in AccessRules").isEmpty();
    assertThat(unguarded).as("admin routes outside every authenticated prefix").isEmpty();
  }

  @Test
  void a_route_without_a_row_is_refused_even_to_an_owner() {
    assertThat(AccessRules.find(HttpMethod.PATCH, "/api/bots/bot_a")).isNull();
    HttpResponse<Buffer> refused = Await.result(app.admin(HttpMethod.GET, "/api/users/usr_a/secrets").send());
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("forbidden");
  }

  @Test
  void every_admin_route_for_every_role_is_allowed_forbidden_or_not_found_outside_the_scope() {
    List<String> wrong = new ArrayList<>();
    for (String[] route : adminRoutes()) {
      HttpMethod method = HttpMethod.valueOf(route[0]);
      AccessRules.Rule rule = AccessRules.find(method, concrete(route[1], MISSING_BOT));
      for (Role role : Role.values()) {
        boolean granted = rule.permission().grantedTo(role);
        check(wrong, UNSCOPED.get(role), role + "", method, concrete(route[1], MISSING_BOT), granted ? "allowed" : "403");
        if (SCOPED.containsKey(role)) {
          boolean namesBot = route[1].contains(":botId");
          boolean scopedCreate = rule.permission() == Permission.BOTS_CREATE;
          String expected = !granted || scopedCreate ? "403" : namesBot ? "404" : "allowed";
          check(wrong, SCOPED.get(role), role + " scoped", method, concrete(route[1], otherBot), expected);
        }
      }
    }
    assertThat(wrong).as("requests that got another answer than the table's").isEmpty();
    // nothing the refused requests asked for happened to the bot outside the scope
    assertThat(Await.result(app.admin(HttpMethod.GET, "/api/bots/" + otherBot).send()).statusCode()).isEqualTo(200);
  }

  @Test
  void a_scoped_user_lists_only_the_bots_in_scope_and_others_see_all() {
    Operators people = new Operators(app);
    String mine = Await.result(app.createBot(new JsonObject().put("name", "mine"))).getString("id");
    String token = people.token(people.person("viewer", new JsonArray().add(mine)), "list");
    JsonArray listed = Await.result(people.bearer(token, HttpMethod.GET, "/api/bots").send()).bodyAsJsonObject()
        .getJsonArray("bots");
    assertThat(listed.stream().map(b -> ((JsonObject) b).getString("id")).toList()).containsExactly(mine);
    JsonArray all = Await.result(people.bearer(UNSCOPED.get(Role.VIEWER), HttpMethod.GET, "/api/bots").send())
        .bodyAsJsonObject().getJsonArray("bots");
    assertThat(all.stream().map(b -> ((JsonObject) b).getString("id")).toList()).contains(mine, otherBot);
  }

  @Test
  void a_bot_outside_the_scope_answers_exactly_as_a_missing_bot() {
    Operators people = new Operators(app);
    String token = people.token(people.person("editor", new JsonArray().add("bot_somewhere_else")), "scope");
    HttpResponse<Buffer> outside = Await.result(people.bearer(token, HttpMethod.GET, "/api/bots/" + otherBot).send());
    HttpResponse<Buffer> missing = Await.result(app.admin(HttpMethod.GET, "/api/bots/" + MISSING_BOT).send());
    assertThat(outside.statusCode()).isEqualTo(404).isEqualTo(missing.statusCode());
    JsonObject outsideError = outside.bodyAsJsonObject().getJsonObject("error");
    JsonObject missingError = missing.bodyAsJsonObject().getJsonObject("error");
    outsideError.remove("request_id");
    missingError.remove("request_id");
    assertThat(outsideError).isEqualTo(missingError);
  }

  /** Admin routes that answer a stream that does not end (server-sent events): only their status is checked. */
  private static final java.util.Set<String> STREAMS = java.util.Set.of("/api/inbox/events");

  private static void check(List<String> wrong, String token, String who, HttpMethod method, String path, String expected) {
    if (STREAMS.contains(path)) {
      io.vertx.core.http.HttpClient http = app.vertx.createHttpClient();
      io.vertx.core.http.HttpClientResponse streamed = Await.result(http.request(new io.vertx.core.http.RequestOptions()
          .setMethod(method).setHost("127.0.0.1").setPort(app.port).setURI(path)
          .putHeader("Authorization", "Bearer " + token)).compose(io.vertx.core.http.HttpClientRequest::send));
      int status = streamed.statusCode();
      Await.result(http.close());
      boolean ok = switch (expected) {
        case "allowed" -> status == 200;
        case "403" -> status == 403;
        default -> status == 404;
      };
      if (!ok) {
        wrong.add(who + " " + method + " " + path + ": expected " + expected + ", got " + status);
      }
      return;
    }
    var request = app.client.request(method, path).putHeader("Authorization", "Bearer " + token);
    HttpResponse<Buffer> response = Await.result(method == HttpMethod.GET || method == HttpMethod.DELETE ? request.send()
        : request.sendJsonObject(new JsonObject()));
    int status = response.statusCode();
    boolean ok = switch (expected) {
      case "allowed" -> status != 401 && status != 403;
      case "403" -> status == 403 && code(response).equals("forbidden");
      default -> status == 404 && code(response).equals("not_found")
          && response.bodyAsJsonObject().getJsonObject("error").getString("message").equals("Bot not found");
    };
    if (!ok) {
      wrong.add(who + " " + method + " " + path + ": expected " + expected + ", got " + status + " " + response.bodyAsString());
    }
  }

  private static String code(HttpResponse<Buffer> response) {
    try {
      return response.bodyAsJsonObject().getJsonObject("error").getString("code");
    } catch (RuntimeException notJson) {
      return "";
    }
  }

  /** The route's path with {@code botId} set and every other parameter a made-up id. */
  private static String concrete(String path, String botId) {
    return path.replace(":botId", botId).replaceAll(":[A-Za-z]+", "made_up_id");
  }
}
