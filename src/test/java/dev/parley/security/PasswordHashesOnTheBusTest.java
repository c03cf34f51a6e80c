package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.BusRecorder;
import dev.parley.testing.Operators;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import dev.parley.testing.TestApps;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A password's Argon2id hash, from which a weak password can be guessed offline, never crosses the event bus (nor the
 * network between clustered nodes) in plain text: set-up, accepting an invite and signing in carry it sealed.
 */
@ParleyTest(perTest = true)
@io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class PasswordHashesOnTheBusTest {

  @Test
  void set_up_invite_acceptance_and_sign_in_carry_password_hashes_sealed(TestApps apps) {
    TestApp app = Await.result(apps.start(new JsonObject()));
    BusRecorder bus = new BusRecorder(app.vertx);
    List<String> seen = bus.bodies();

    String owner = Operators.email("owner");
    assertThat(Await.result(app.client.post("/api/setup").sendJsonObject(new JsonObject().put("email", owner)
        .put("name", "Owner").put("password", Operators.PASSWORD))).statusCode()).isEqualTo(201);
    Operators people = new Operators(app);
    Operators.SignedIn viewer = people.person("viewer", null);
    people.signIn(owner, Operators.PASSWORD);

    assertThat(viewer.user().getString("role")).isEqualTo("viewer");
    assertThat(seen).anyMatch(body -> body.contains("\"password_hash\":\"v1:"));
    assertThat(seen).noneMatch(body -> body.contains("$argon2"));
  }
}
