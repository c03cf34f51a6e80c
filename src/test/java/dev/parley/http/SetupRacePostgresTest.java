package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.OnPostgres;
import dev.parley.testing.Operators;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The public first-owner set-up as a race would try it on PostgreSQL, where transactions are READ COMMITTED: two
 * set-ups that both counted no user before either inserted used to make two owners. (SQLite's writers run one at a
 * time.) The test holds the users table so that inserts wait while reads go on, which lines the two up every time.
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
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    try (Connection held = app.jdbc()) {
      held.setAutoCommit(false);
      held.createStatement().execute("LOCK TABLE users IN SHARE MODE"); // reads go on, inserts wait
      for (int i = 0; i < 2; i++) {
        sent.add(app.client.post("/api/setup").sendJsonObject(new JsonObject().put("email", "racer" + i + "@example.test")
            .put("name", "Racer " + i).put("password", Operators.PASSWORD)));
      }
      awaitWaiting(2);
      held.commit();
    }
    int created = 0;
    for (Future<HttpResponse<Buffer>> one : sent) {
      HttpResponse<Buffer> response = Await.result(one);
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

  /** Until {@code n} of Parley's statements wait for a lock (the held table, or each other). */
  private static void awaitWaiting(int n) throws SQLException, InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (app.count("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        + "AND datname = current_database()") < n) {
      assertThat(System.currentTimeMillis()).as("two set-ups waiting for a lock").isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
