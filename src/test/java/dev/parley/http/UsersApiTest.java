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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/users}: what owners and admins may do to whom, the last owner, validation, and that removing, demoting
 * or disabling someone ends their sessions and tokens at once.
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class UsersApiTest {

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
  void an_owner_lists_gets_changes_and_deletes_users() {
    SignedIn owner = people.person("owner", null);
    JsonObject created = people.invite(Operators.email("Mixed.Case"), "viewer", null);
    String id = created.getString("id");
    JsonArray users = send(owner, HttpMethod.GET, "/api/users", null).bodyAsJsonObject().getJsonArray("users");
    assertThat(users.stream().map(u -> ((JsonObject) u).getString("id"))).contains(id, owner.id());
    assertThat(users.encode()).doesNotContain("hash\"").doesNotContain("$argon2");
    assertThat(send(owner, HttpMethod.GET, "/api/users/" + id, null).bodyAsJsonObject().getBoolean("password_set")).isFalse();

    HttpResponse<Buffer> changed = send(owner, HttpMethod.PUT, "/api/users/" + id,
        new JsonObject().put("role", "editor").put("bot_ids", new JsonArray().add("bot_b").add("bot_a")).put("name", "Eddie"));
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(changed.bodyAsJsonObject().getString("role")).isEqualTo("editor");
    assertThat(changed.bodyAsJsonObject().getJsonArray("bot_ids")).containsExactly("bot_a", "bot_b");
    assertThat(changed.bodyAsJsonObject().getString("name")).isEqualTo("Eddie");

    assertThat(send(owner, HttpMethod.DELETE, "/api/users/" + id, null).statusCode()).isEqualTo(204);
    assertThat(send(owner, HttpMethod.GET, "/api/users/" + id, null).statusCode()).isEqualTo(404);
    assertThat(send(owner, HttpMethod.DELETE, "/api/users/" + id, null).statusCode()).isEqualTo(404);
    assertThat(send(owner, HttpMethod.PUT, "/api/users/usr_missing", new JsonObject().put("name", "x")).statusCode())
        .isEqualTo(404);
  }

  @Test
  void emails_are_unique_without_regard_to_case() {
    String email = Operators.email("twin");
    people.invite(email, "viewer", null);
    HttpResponse<Buffer> twin = Await.result(app.admin(HttpMethod.POST, "/api/users").sendJsonObject(new JsonObject()
        .put("email", email.toUpperCase()).put("name", "Twin").put("role", "viewer")));
    assertThat(twin.statusCode()).isEqualTo(409);
    assertThat(twin.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("email_taken");
  }

  @Test
  void an_internationalised_domain_and_its_ascii_form_are_one_account() {
    String local = "idn-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    people.invite(local + "@bücher.de", "viewer", null);
    HttpResponse<Buffer> twin = Await.result(app.admin(HttpMethod.POST, "/api/users").sendJsonObject(new JsonObject()
        .put("email", local + "@XN--BCHER-KVA.de").put("name", "Twin").put("role", "viewer")));
    assertThat(twin.statusCode()).as(twin.bodyAsString()).isEqualTo(409);
    assertThat(twin.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("email_taken");
  }

  @Test
  void invalid_fields_are_422_naming_the_field_and_nothing_is_stored() throws Exception {
    long before = Await.result(app.vertx.executeBlocking(() -> app.count("SELECT COUNT(*) FROM users")));
    assertField(new JsonObject().put("email", "not-an-email").put("name", "N").put("role", "viewer"), "email");
    for (String address : new String[] {"corp.com<spy@example.test>", "spy@example.test(c)", "a,b@example.test",
        "spy@ex,ample.test", "\"a b\"@example.test", "a;b@example.test", "a@[127.0.0.1]"}) {
      assertField(new JsonObject().put("email", address).put("name", "N").put("role", "viewer"), "email");
    }
    for (String hidden : new String[] {"\u0007", "\u007f", "\u200b", "\u202e"}) {
      assertField(new JsonObject().put("email", "bell" + hidden + Operators.email("x")).put("name", "N")
          .put("role", "viewer"), "email");
    }
    assertField(new JsonObject().put("email", Operators.email("x")).put("name", " ").put("role", "viewer"), "name");
    for (String hidden : new String[] {"Eve\r\nBcc: spy@example.test", "Eve\u0007", "Eve\tAdmin", "\u202eeve",
        "E\u200bve", "Eve\u2028Admin", "\ufeffEve"}) {
      assertField(new JsonObject().put("email", Operators.email("x")).put("name", hidden).put("role", "viewer"), "name");
    }
    assertField(new JsonObject().put("email", Operators.email("x")).put("name", "N").put("role", "root"), "role");
    assertField(new JsonObject().put("email", Operators.email("x")).put("name", "N").put("role", "viewer")
        .put("bot_ids", "bot_a"), "bot_ids");
    assertField(new JsonObject().put("email", Operators.email("x")).put("name", "N").put("role", "admin")
        .put("bot_ids", new JsonArray().add("bot_a")), "bot_ids");
    assertField(new JsonObject().put("email", Operators.email("x")).put("name", "N").put("role", "viewer")
        .put("password", "sneaky password"), "password");
    long after = Await.result(app.vertx.executeBlocking(() -> app.count("SELECT COUNT(*) FROM users")));
    assertThat(after).isEqualTo(before);
  }

  @Test
  void an_admin_cannot_create_change_or_delete_an_owner_nor_make_one() {
    SignedIn admin = people.person("admin", null);
    SignedIn owner = people.person("owner", null);
    JsonObject ownerBody = new JsonObject().put("email", Operators.email("o")).put("name", "O").put("role", "owner");
    assertThat(send(admin, HttpMethod.POST, "/api/users", ownerBody).statusCode()).isEqualTo(403);
    assertThat(send(admin, HttpMethod.PUT, "/api/users/" + owner.id(), new JsonObject().put("name", "Renamed"))
        .statusCode()).isEqualTo(403);
    assertThat(send(admin, HttpMethod.DELETE, "/api/users/" + owner.id(), null).statusCode()).isEqualTo(403);
    JsonObject viewer = people.invite(Operators.email("v"), "viewer", null);
    assertThat(send(admin, HttpMethod.PUT, "/api/users/" + viewer.getString("id"), new JsonObject().put("role", "owner"))
        .statusCode()).isEqualTo(403);
    // what an admin may do
    HttpResponse<Buffer> editor = send(admin, HttpMethod.PUT, "/api/users/" + viewer.getString("id"),
        new JsonObject().put("role", "editor"));
    assertThat(editor.statusCode()).isEqualTo(200);
    assertThat(send(owner, HttpMethod.GET, "/api/users/" + owner.id(), null).bodyAsJsonObject().getString("name"))
        .isEqualTo("Test owner");
  }

  @Test
  void the_last_owner_cannot_be_deleted_demoted_or_disabled() throws Exception {
    // this class's app: every other owner is removed first, by the bootstrap token
    SignedIn last = people.person("owner", null);
    onlyOwners(last);
    for (JsonObject change : new JsonObject[] {new JsonObject().put("role", "admin"), new JsonObject().put("disabled", true)}) {
      HttpResponse<Buffer> refused = send(last, HttpMethod.PUT, "/api/users/" + last.id(), change);
      assertThat(refused.statusCode()).isEqualTo(409);
      assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("last_owner");
    }
    assertThat(Await.result(app.admin(HttpMethod.DELETE, "/api/users/" + last.id()).send()).statusCode()).isEqualTo(409);
    assertThat(send(last, HttpMethod.GET, "/api/me", null).bodyAsJsonObject().getString("role")).isEqualTo("owner");
    // with a second owner, the first may step down
    SignedIn second = people.person("owner", null);
    assertThat(send(second, HttpMethod.PUT, "/api/users/" + last.id(), new JsonObject().put("role", "admin")).statusCode())
        .isEqualTo(200);
  }

  @Test
  void two_owners_stepping_each_other_down_at_once_leave_exactly_one_owner() {
    for (int round = 0; round < 8; round++) {
      SignedIn first = people.person("owner", null);
      SignedIn second = people.person("owner", null);
      onlyOwners(first, second);
      boolean deleting = round % 2 == 1; // a delete and a demotion race the same way
      io.vertx.core.Future<HttpResponse<Buffer>> one = app.admin(HttpMethod.PUT, "/api/users/" + first.id())
          .sendJsonObject(new JsonObject().put("role", "admin"));
      io.vertx.core.Future<HttpResponse<Buffer>> other = deleting
          ? app.admin(HttpMethod.DELETE, "/api/users/" + second.id()).send()
          : app.admin(HttpMethod.PUT, "/api/users/" + second.id()).sendJsonObject(new JsonObject().put("disabled", true));
      int refused = 0;
      for (HttpResponse<Buffer> response : java.util.List.of(Await.result(one), Await.result(other))) {
        if (response.statusCode() == 409) {
          assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("last_owner");
          refused++;
        } else {
          assertThat(response.statusCode()).isIn(200, 204);
        }
      }
      assertThat(refused).as("round " + round + ": one of the two changes is refused").isEqualTo(1);
      long owners = Await.result(app.admin(HttpMethod.GET, "/api/users").send()).bodyAsJsonObject().getJsonArray("users")
          .stream().map(JsonObject.class::cast)
          .filter(u -> u.getString("role").equals("owner") && !u.getBoolean("disabled", false)).count();
      assertThat(owners).as("round " + round + ": owners left").isEqualTo(1);
    }
  }

  @Test
  void deleting_a_user_ends_their_sessions_and_tokens_at_once() {
    SignedIn editor = people.person("editor", null);
    String token = people.token(editor, "script");
    assertThat(Await.result(people.bearer(token, HttpMethod.GET, "/api/me").send()).statusCode()).isEqualTo(200);
    assertThat(Await.result(app.admin(HttpMethod.DELETE, "/api/users/" + editor.id()).send()).statusCode()).isEqualTo(204);
    assertThat(send(editor, HttpMethod.GET, "/api/me", null).statusCode()).isEqualTo(401);
    assertThat(Await.result(people.bearer(token, HttpMethod.GET, "/api/me").send()).statusCode()).isEqualTo(401);
  }

  @Test
  void demoting_or_disabling_a_user_ends_their_sessions_and_tokens() {
    for (JsonObject change : new JsonObject[] {new JsonObject().put("role", "viewer"), new JsonObject().put("disabled", true)}) {
      SignedIn admin = people.person("admin", null);
      String token = people.token(admin, "script");
      assertThat(Await.result(app.admin(HttpMethod.PUT, "/api/users/" + admin.id()).sendJsonObject(change)).statusCode())
          .isEqualTo(200);
      assertThat(send(admin, HttpMethod.GET, "/api/me", null).statusCode()).isEqualTo(401);
      assertThat(Await.result(people.bearer(token, HttpMethod.GET, "/api/me").send()).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void a_disabled_user_cannot_sign_in_and_gets_the_same_answer_as_a_wrong_password() {
    SignedIn viewer = people.person("viewer", null);
    Await.result(app.admin(HttpMethod.PUT, "/api/users/" + viewer.id()).sendJsonObject(new JsonObject().put("disabled", true)));
    HttpResponse<Buffer> refused = people.login(viewer.user().getString("email"), Operators.PASSWORD);
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid_credentials");
  }

  @Test
  void a_new_invite_replaces_a_lost_one_and_only_the_new_link_sets_the_password() {
    SignedIn owner = people.person("owner", null);
    JsonObject invited = people.invite(Operators.email("lost"), "editor", null);
    String id = invited.getString("id");
    // listed after an owner, whose NULL came first in that column (SQLite: it once decoded the rest as ints)
    JsonObject listed = send(owner, HttpMethod.GET, "/api/users", null).bodyAsJsonObject().getJsonArray("users").stream()
        .map(JsonObject.class::cast).filter(u -> u.getString("id").equals(id)).findFirst().orElseThrow();
    assertThat(listed.getLong("invite_expires_at")).isEqualTo(invited.getLong("invite_expires_at"))
        .isGreaterThan(System.currentTimeMillis());
    HttpResponse<Buffer> again = send(owner, HttpMethod.POST, "/api/users/" + id + "/invite", null);
    assertThat(again.statusCode()).as(again.bodyAsString()).isEqualTo(200);
    JsonObject renewed = again.bodyAsJsonObject();
    assertThat(renewed.getString("id")).isEqualTo(id);
    assertThat(renewed.getBoolean("password_set")).isFalse();
    assertThat(renewed.getLong("invite_expires_at")).isGreaterThanOrEqualTo(invited.getLong("invite_expires_at"));
    assertThat(Operators.inviteToken(renewed)).isNotEqualTo(Operators.inviteToken(invited));
    assertThat(renewed.encode()).doesNotContain("hash\"");
    assertThat(invited.getString("invite_mail")).as("no SMTP server configured").isEqualTo("off");
    assertThat(renewed.getString("invite_mail")).isEqualTo("off");

    HttpResponse<Buffer> old = people.accept(Operators.inviteToken(invited), Operators.PASSWORD);
    assertThat(old.statusCode()).isEqualTo(404);
    assertThat(old.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invite_invalid");
    assertThat(people.accept(Operators.inviteToken(renewed), Operators.PASSWORD).statusCode()).isEqualTo(200);
    assertThat(people.signIn(invited.getString("email"), Operators.PASSWORD).id()).isEqualTo(id);

    HttpResponse<Buffer> active = send(owner, HttpMethod.POST, "/api/users/" + id + "/invite", null);
    assertThat(active.statusCode()).isEqualTo(409);
    assertThat(active.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invite_not_pending");
    assertThat(active.bodyAsJsonObject().encode()).doesNotContain("invite_url");
  }

  @Test
  void an_expired_invite_is_renewed() throws Exception {
    SignedIn owner = people.person("owner", null);
    JsonObject invited = people.invite(Operators.email("late"), "viewer", null);
    String id = invited.getString("id");
    people.expireInvite(id);
    assertThat(people.accept(Operators.inviteToken(invited), Operators.PASSWORD).statusCode()).isEqualTo(404);
    JsonObject renewed = send(owner, HttpMethod.POST, "/api/users/" + id + "/invite", null).bodyAsJsonObject();
    assertThat(renewed.getLong("invite_expires_at")).isGreaterThan(System.currentTimeMillis());
    assertThat(people.accept(Operators.inviteToken(renewed), Operators.PASSWORD).statusCode()).isEqualTo(200);
  }

  @Test
  void only_those_who_manage_a_user_may_send_a_new_invite_and_never_to_an_sso_account() {
    SignedIn admin = people.person("admin", null);
    SignedIn editor = people.person("editor", null);
    String pendingOwner = people.invite(Operators.email("po"), "owner", null).getString("id");
    String pendingViewer = people.invite(Operators.email("pv"), "viewer", null).getString("id");
    assertThat(send(admin, HttpMethod.POST, "/api/users/" + pendingOwner + "/invite", null).statusCode()).isEqualTo(403);
    assertThat(send(editor, HttpMethod.POST, "/api/users/" + pendingViewer + "/invite", null).statusCode()).isEqualTo(403);
    assertThat(Await.result(app.client.post("/api/users/" + pendingViewer + "/invite").send()).statusCode())
        .isEqualTo(401);
    HttpResponse<Buffer> forged = Await.result(app.client.post("/api/users/" + pendingViewer + "/invite")
        .putHeader("Cookie", "parley_session=" + admin.session()).send());
    assertThat(forged.statusCode()).as("a cookie without its CSRF header").isEqualTo(403);
    assertThat(forged.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("csrf_failed");
    assertThat(send(admin, HttpMethod.POST, "/api/users/usr_missing/invite", null).statusCode()).isEqualTo(404);
    assertThat(send(admin, HttpMethod.POST, "/api/users/" + pendingViewer + "/invite", null).statusCode()).isEqualTo(200);

    JsonObject sso = admitBySso(new JsonObject().put("email", Operators.email("sso")).put("name", "Single")
        .put("role", "viewer"));
    assertNoNewInvite(admin, sso.getString("id"));
  }

  @Test
  void an_invited_person_let_in_by_single_sign_on_can_be_given_no_password_by_any_invite() {
    SignedIn admin = people.person("admin", null);
    JsonObject invited = people.invite(Operators.email("sso-admin"), "admin", null);
    String id = invited.getString("id");
    admitBySso(new JsonObject().put("email", invited.getString("email")).put("name", "Signed in by SSO")
        .put("role", "admin").put("user_id", id));
    HttpResponse<Buffer> old = people.accept(Operators.inviteToken(invited), Operators.PASSWORD);
    assertThat(old.statusCode()).as("the link of the invite single sign-on used up").isEqualTo(404);
    assertNoNewInvite(admin, id);
    assertThat(send(admin, HttpMethod.GET, "/api/users/" + id, null).bodyAsJsonObject().getValue("invite_expires_at"))
        .isNull();
  }

  @Test
  void someone_with_a_session_or_a_token_but_an_invite_still_stored_gets_no_new_invite() throws Exception {
    SignedIn owner = people.person("owner", null);
    SignedIn inside = people.person("editor", null);
    // as a row stored before single sign-on used invites up: no password, an invite, and a session
    try (var db = app.jdbc(); var stale = db.prepareStatement(
        "UPDATE users SET password_hash = NULL, invite_hash = 'stale', invite_expires_at = 1 WHERE id = ?")) {
      stale.setString(1, inside.id());
      assertThat(stale.executeUpdate()).isEqualTo(1);
    }
    assertNoNewInvite(owner, inside.id());
  }

  @Test
  void a_disabled_person_may_be_given_a_new_link_but_stays_out_until_enabled() {
    SignedIn owner = people.person("owner", null);
    JsonObject invited = people.invite(Operators.email("paused"), "viewer", null);
    String id = invited.getString("id");
    assertThat(send(owner, HttpMethod.PUT, "/api/users/" + id, new JsonObject().put("disabled", true)).statusCode())
        .isEqualTo(200);
    JsonObject renewed = send(owner, HttpMethod.POST, "/api/users/" + id + "/invite", null).bodyAsJsonObject();
    assertThat(people.accept(Operators.inviteToken(renewed), Operators.PASSWORD).statusCode()).isEqualTo(200);
    assertThat(people.login(invited.getString("email"), Operators.PASSWORD).statusCode()).isEqualTo(401);
    assertThat(send(owner, HttpMethod.PUT, "/api/users/" + id, new JsonObject().put("disabled", false)).statusCode())
        .isEqualTo(200);
    assertThat(people.login(invited.getString("email"), Operators.PASSWORD).statusCode()).isEqualTo(200);
  }

  /** The account component's admission of a person single sign-on vouched for, as the sign-on route asks it. */
  private static JsonObject admitBySso(JsonObject person) {
    return Await.result(app.vertx.eventBus().<JsonObject>request(dev.parley.common.Addresses.ACCOUNT_SSO_ADMIT, person))
        .body();
  }

  /** A new invite for the user is refused with 409 invite_not_pending. */
  private static void assertNoNewInvite(SignedIn who, String userId) {
    HttpResponse<Buffer> refused = send(who, HttpMethod.POST, "/api/users/" + userId + "/invite", null);
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invite_not_pending");
  }

  /** Makes every other owner of this class's app a viewer (with the bootstrap token). */
  private static void onlyOwners(SignedIn... kept) {
    java.util.Set<String> keep = java.util.Arrays.stream(kept).map(SignedIn::id).collect(java.util.stream.Collectors.toSet());
    for (Object user : Await.result(app.admin(HttpMethod.GET, "/api/users").send()).bodyAsJsonObject().getJsonArray("users")) {
      JsonObject other = (JsonObject) user;
      if (other.getString("role").equals("owner") && !keep.contains(other.getString("id"))) {
        assertThat(Await.result(app.admin(HttpMethod.PUT, "/api/users/" + other.getString("id"))
            .sendJsonObject(new JsonObject().put("role", "viewer"))).statusCode()).isEqualTo(200);
      }
    }
  }

  private static void assertField(JsonObject body, String field) {
    HttpResponse<Buffer> response = Await.result(app.admin(HttpMethod.POST, "/api/users").sendJsonObject(body));
    assertThat(response.statusCode()).as(body.encode()).isEqualTo(422);
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo(field);
  }

  private static HttpResponse<Buffer> send(SignedIn who, HttpMethod method, String path, JsonObject body) {
    var request = people.as(who, method, path);
    return Await.result(body == null ? request.send() : request.sendJsonObject(body));
  }
}
