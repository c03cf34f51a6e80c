package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.LinedUp;
import dev.parley.testing.OnPostgres;
import dev.parley.testing.Operators;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The public first-owner set-up as a race would try it on PostgreSQL, where transactions are READ COMMITTED: two
 * set-ups that both counted no user before either inserted used to make two owners. (SQLite's writers run one at a
 * time.) {@link LinedUp} holds the users table so that both count before either inserts, every time.
 */
@ParleyTest
@OnPostgres
@io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class SetupRacePostgresTest {

  private static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    return Operators.manySignIns();
  }

  @Test
  void two_set_ups_lined_up_on_a_fresh_install_make_exactly_one_owner_and_the_other_is_409() throws Exception {
    List<HttpResponse<Buffer>> answers = LinedUp.on(app, "users", 2, i -> app.client.post("/api/setup")
        .sendJsonObject(new JsonObject().put("email", "racer" + i + "@example.test").put("name", "Racer " + i)
            .put("password", Operators.PASSWORD)));
    int created = 0;
    for (HttpResponse<Buffer> response : answers) {
      if (response.statusCode() == 201) {
        created++;
      } else {
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(409);
        assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("setup_done");
      }
    }
    assertThat(created).as("set-ups that made an owner").isEqualTo(1);
    assertThat(Await.result(app.admin(HttpMethod.GET, "/api/users").send()).bodyAsJsonObject().getJsonArray("users"))
        .hasSize(1);
  }
}
