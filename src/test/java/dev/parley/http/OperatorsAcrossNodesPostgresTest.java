package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.OnPostgres;
import dev.parley.testing.Operators;
import dev.parley.testing.Operators.SignedIn;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import dev.parley.testing.TestApps;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two Parleys, each on a Vert.x of its own (no shared bus, no shared memory), on one PostgreSQL database, as two
 * nodes behind a load balancer: the first owner is set up once, a person signs in on one node and is known on the
 * other, and a removal on one node ends their cookie and token on the other at once.
 */
@OnPostgres
@ParleyTest(perTest = true)
@io.vertx.junit5.Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class OperatorsAcrossNodesPostgresTest {

  @Test
  void the_first_owner_is_set_up_once_and_a_removal_on_one_node_ends_the_cookie_and_token_on_the_other(TestApps apps) {
    TestApp nodeA = Await.result(apps.start(apps.dataDir.resolve("a")));
    Vertx otherVertx = Vertx.vertx();
    apps.afterwards(() -> Await.result(otherVertx.close()));
    TestApp nodeB = Await.result(TestApp.start(otherVertx, apps.dataDir.resolve("b")));
    apps.afterwards(() -> Await.result(nodeB.stop()));

    // set-up: open while there is no user, on either node; closed on both after
    assertThat(Await.result(nodeB.client.get("/api/setup").send()).bodyAsJsonObject().getBoolean("setup_open")).isTrue();
    JsonObject first = new JsonObject().put("email", "owner@example.test").put("name", "First Owner")
        .put("password", Operators.PASSWORD);
    HttpResponse<Buffer> setUp = Await.result(nodeA.client.post("/api/setup").sendJsonObject(first));
    assertThat(setUp.statusCode()).isEqualTo(201);
    assertThat(setUp.bodyAsJsonObject().getJsonObject("user").getString("role")).isEqualTo("owner");
    assertThat(Operators.sessionCookie(setUp)).startsWith("ps_");
    HttpResponse<Buffer> again = Await.result(nodeB.client.post("/api/setup")
        .sendJsonObject(first.copy().put("email", "intruder@example.test")));
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("setup_done");
    assertThat(Await.result(nodeA.client.get("/api/setup").send()).bodyAsJsonObject().getBoolean("setup_open")).isFalse();

    // the owner signs in on node A; the editor is invited there and signs in on node B
    Operators onA = new Operators(nodeA);
    Operators onB = new Operators(nodeB);
    SignedIn owner = onA.signIn("owner@example.test", Operators.PASSWORD);
    String email = Operators.email("editor");
    JsonObject created = Await.result(onA.as(owner, HttpMethod.POST, "/api/users")
        .sendJsonObject(new JsonObject().put("email", email).put("name", "Ed").put("role", "editor"))).bodyAsJsonObject();
    assertThat(onB.accept(Operators.inviteToken(created), Operators.PASSWORD).statusCode()).isEqualTo(200);
    SignedIn editor = onB.signIn(email, Operators.PASSWORD);
    String token = onB.token(editor, "script");
    assertThat(Await.result(onA.as(editor, HttpMethod.GET, "/api/me").send()).statusCode()).isEqualTo(200);
    assertThat(Await.result(onA.bearer(token, HttpMethod.GET, "/api/bots").send()).statusCode()).isEqualTo(200);

    assertThat(Await.result(onA.as(owner, HttpMethod.DELETE, "/api/users/" + created.getString("id")).send()).statusCode())
        .isEqualTo(204);
    assertThat(Await.result(onB.as(editor, HttpMethod.GET, "/api/me").send()).statusCode()).isEqualTo(401);
    assertThat(Await.result(onB.bearer(token, HttpMethod.GET, "/api/bots").send()).statusCode()).isEqualTo(401);

    // signing out on one node ends the session on the other
    SignedIn ownerOnB = onB.signIn("owner@example.test", Operators.PASSWORD);
    assertThat(Await.result(onA.as(ownerOnB, HttpMethod.POST, "/api/auth/logout").send()).statusCode()).isEqualTo(204);
    assertThat(Await.result(onB.as(ownerOnB, HttpMethod.GET, "/api/me").send()).statusCode()).isEqualTo(401);
    // the bootstrap token still works as an owner on both
    assertThat(Await.result(nodeB.admin(HttpMethod.GET, "/api/users").send()).statusCode()).isEqualTo(200);
  }
}
