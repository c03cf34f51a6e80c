package dev.parley.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Requests lined up as a race would line them up on PostgreSQL, whose transactions are READ COMMITTED: a test
 * connection holds a table in {@code SHARE} mode (reads go on, inserts wait), the requests are sent, and the table is
 * let go once each of them waits for a lock (the held table, or one another's). Every request has then read what it
 * counts before any of them inserted, unless Parley makes them wait for each other.
 */
public final class LinedUp {

  private LinedUp() {
  }

  /** Sends {@code n} requests ({@code send} gets 0 to n-1) lined up on {@code table}; their answers in that order. */
  public static List<HttpResponse<Buffer>> on(TestApp app, String table, int n,
      IntFunction<Future<HttpResponse<Buffer>>> send) throws SQLException, InterruptedException {
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    try (Connection held = app.jdbc()) {
      held.setAutoCommit(false);
      held.createStatement().execute("LOCK TABLE " + table + " IN SHARE MODE");
      for (int i = 0; i < n; i++) {
        sent.add(send.apply(i));
      }
      awaitWaiting(app, n);
      held.commit();
    }
    List<HttpResponse<Buffer>> answers = new ArrayList<>();
    for (Future<HttpResponse<Buffer>> one : sent) {
      answers.add(Await.result(one));
    }
    return answers;
  }

  /** Until {@code n} of Parley's statements wait for a lock. */
  private static void awaitWaiting(TestApp app, int n) throws SQLException, InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (app.count("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        + "AND datname = current_database()") < n) {
      assertThat(System.currentTimeMillis()).as(n + " requests waiting for a lock").isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
