package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.Operators;
import dev.parley.testing.Operators.SignedIn;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operators' own writes are in the audit log: set-up, invites, sign-ins and failed sign-ins, role changes,
 * tokens, sign-out and removal, each with its actor and request id, never a password or token.
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class OperatorsAuditTest {

  /** The write routes this test covers (AuditTrailTest covers the others and checks that none is left out). */
  static final List<String> ROUTES = List.of("POST /api/setup", "POST /api/users", "PUT /api/users/:userId",
      "DELETE /api/users/:userId", "POST /api/users/:userId/invite", "POST /api/invites/:inviteToken", "POST /api/auth/login", "POST /api/auth/logout",
      "POST /api/tokens", "DELETE /api/tokens/:tokenId");

  private static TestApp app;
  private static Operators people;

  @ParleyConfig
  static JsonObject config() {
    return Operators.manySignIns();
  }

  @BeforeAll
  static void people() {
    people = new Operators(app);
  }

  @Test
  void every_sign_in_invite_role_change_token_and_removal_leaves_one_entry_with_its_actor() {
    String ownerEmail = Operators.email("owner");
    HttpResponse<Buffer> setup = send(app.client.post("/api/setup"), "setup",
        new JsonObject().put("email", ownerEmail).put("name", "First Owner").put("password", Operators.PASSWORD));
    assertThat(setup.statusCode()).isEqualTo(201);
    SignedIn owner = new SignedIn(Operators.sessionCookie(setup), setup.bodyAsJsonObject().getString("csrf_token"),
        setup.bodyAsJsonObject().getJsonObject("user"));

    String email = Operators.email("editor");
    HttpResponse<Buffer> invited = send(people.as(owner, HttpMethod.POST, "/api/users"), "invite",
        new JsonObject().put("email", email).put("name", "Ed").put("role", "editor"));
    assertThat(invited.statusCode()).isEqualTo(201);
    String userId = invited.bodyAsJsonObject().getString("id");
    String lost = Operators.inviteToken(invited.bodyAsJsonObject());
    HttpResponse<Buffer> reinvited = send(people.as(owner, HttpMethod.POST, "/api/users/" + userId + "/invite"),
        "reinvite", null);
    assertThat(reinvited.statusCode()).isEqualTo(200);
    String invite = Operators.inviteToken(reinvited.bodyAsJsonObject());
    assertThat(send(app.client.post("/api/invites/" + invite), "accept",
        new JsonObject().put("password", Operators.PASSWORD)).statusCode()).isEqualTo(200);
    assertThat(send(app.client.post("/api/auth/login"), "wrong",
        new JsonObject().put("email", email).put("password", "not the password at all")).statusCode()).isEqualTo(401);
    HttpResponse<Buffer> login = send(app.client.post("/api/auth/login"), "login",
        new JsonObject().put("email", email).put("password", Operators.PASSWORD));
    assertThat(login.statusCode()).isEqualTo(200);
    SignedIn editor = new SignedIn(Operators.sessionCookie(login), login.bodyAsJsonObject().getString("csrf_token"),
        login.bodyAsJsonObject().getJsonObject("user"));
    HttpResponse<Buffer> token = send(people.as(editor, HttpMethod.POST, "/api/tokens"), "token",
        new JsonObject().put("name", "script"));
    assertThat(token.statusCode()).isEqualTo(201);
    String tokenId = token.bodyAsJsonObject().getString("id");
    String secret = token.bodyAsJsonObject().getString("token");
    assertThat(send(people.as(editor, HttpMethod.DELETE, "/api/tokens/" + tokenId), "revoke", null).statusCode())
        .isEqualTo(204);
    assertThat(send(people.as(editor, HttpMethod.POST, "/api/auth/logout"), "logout", null).statusCode())
        .isEqualTo(204);
    assertThat(send(people.as(owner, HttpMethod.PUT, "/api/users/" + userId), "demote",
        new JsonObject().put("role", "viewer")).statusCode()).isEqualTo(200);
    assertThat(send(people.as(owner, HttpMethod.DELETE, "/api/users/" + userId), "remove", null).statusCode())
        .isEqualTo(204);

    String ownerId = owner.id();
    expect("setup", "auth.setup", "user", ownerId, "success", ownerId);
    expect("invite", "user.create", "user", userId, "success", ownerId);
    expect("reinvite", "user.invite", "user", userId, "success", ownerId);
    expect("accept", "auth.invite_accepted", "user", userId, "success", userId);
    expect("wrong", "auth.login_failed", "user", email, "failure", null);
    expect("login", "auth.login", "user", userId, "success", userId);
    expect("token", "token.create", "token", tokenId, "success", userId);
    expect("revoke", "token.delete", "token", tokenId, "success", userId);
    expect("logout", "auth.logout", "session", null, "success", userId);
    expect("demote", "user.update", "user", userId, "success", ownerId);
    expect("remove", "user.delete", "user", userId, "success", ownerId);

    String log = Await.result(app.admin(HttpMethod.GET, "/api/audit?limit=200").send()).bodyAsString();
    assertThat(log).doesNotContain(Operators.PASSWORD).doesNotContain("not the password at all")
        .doesNotContain(secret).doesNotContain(invite).doesNotContain(lost).doesNotContain(owner.session()).doesNotContain(editor.session());
  }

  private static HttpResponse<Buffer> send(HttpRequest<Buffer> request, String requestId, JsonObject body) {
    request.putHeader("X-Request-Id", "ops-audit-" + requestId);
    return Await.result(body == null ? request.send() : request.sendJsonObject(body));
  }

  private static void expect(String requestId, String action, String targetType, String targetId, String outcome,
      String actorUserId) {
    HttpResponse<Buffer> page = Await.result(app.admin(HttpMethod.GET, "/api/audit?limit=200").send());
    assertThat(page.statusCode()).isEqualTo(200);
    List<JsonObject> entries = page.bodyAsJsonObject().getJsonArray("entries").stream().map(JsonObject.class::cast)
        .filter(e -> ("ops-audit-" + requestId).equals(e.getString("request_id"))).toList();
    assertThat(entries).as(requestId).hasSize(1);
    JsonObject entry = entries.get(0);
    assertThat(entry.getString("action")).as(requestId).isEqualTo(action);
    assertThat(entry.getJsonObject("target", new JsonObject()).getString("type", entry.getString("target_type")))
        .as(requestId).isEqualTo(targetType);
    assertThat(entry.getJsonObject("target", new JsonObject()).getString("id", entry.getString("target_id")))
        .as(requestId).isEqualTo(targetId);
    assertThat(entry.getString("outcome")).as(requestId).isEqualTo(outcome);
    assertThat(entry.getJsonObject("actor").getString("user_id")).as(requestId).isEqualTo(actorUserId);
  }
}
