package dev.parley.account;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import dev.parley.db.Database;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import java.util.Map;

/**
 * Failed sign-ins per email address, known or not (so a lockout tells nothing about who has an account), kept in
 * the database so every node counts the same. {@code max_failures} (5) within {@code window_ms} (15 minutes) of
 * the first lock the address until that window ends: 429 with {@code retry_after}, a right password included. A
 * successful sign-in clears the count. Rows of ended windows are swept at most once a minute.
 */
final class LoginThrottle {

  static final int DEFAULT_MAX_FAILURES = 5;
  static final long DEFAULT_WINDOW_MS = 15L * 60 * 1000;

  private final Database database;
  private final int maxFailures;
  private final long windowMs;
  private long swept;

  LoginThrottle(Database database, int maxFailures, long windowMs) {
    this.database = database;
    this.maxFailures = maxFailures;
    this.windowMs = windowMs;
  }

  /**
   * Counts a sign-in attempt for {@code email} before its password is checked, and fails with 429 when it is past
   * {@code max_failures} within the window (a right password included). Counting first is what bounds the guesses:
   * checking the count and adding a failure after the slow password check let any number of attempts sent at once
   * pass the check before the first failure was written. A successful sign-in clears the count ({@link #clear}).
   */
  Future<Void> attempt(String email) {
    long now = System.currentTimeMillis();
    Map<String, Object> key = Map.of("email_key", UserFields.key(email), "now", now);
    Future<Row> counted = database.inTransaction(tx -> Templates.forQuery(tx, AccountSql.SELECT_FAILURES).execute(key)
        .compose(rows -> {
          String sql = rows.size() == 0 ? AccountSql.INSERT_FAILURE
              : rows.iterator().next().getLong("first_at") + windowMs <= now ? AccountSql.RESTART_FAILURES
              : AccountSql.COUNT_FAILURE;
          return Templates.forUpdate(tx, sql).execute(key);
        })
        .compose(done -> counted(tx, key)));
    // two first attempts at once: the loser of the insert counts on the row the winner made
    return counted.recover(failure -> Database.isUniqueViolation(failure)
            ? database.inTransaction(tx -> Templates.forUpdate(tx, AccountSql.COUNT_FAILURE).execute(key)
                .compose(done -> counted(tx, key)))
            : Future.failedFuture(failure))
        .compose(row -> {
          long ends = row.getLong("first_at") + windowMs;
          if (row.getInteger("failures") > maxFailures && ends > now) {
            return Future.failedFuture(new ParleyException(ErrorCodes.TOO_MANY_REQUESTS, "too_many_sign_ins",
                "Too many failed sign-ins for this account; try again later", null, Math.max(1, (ends - now + 999) / 1000)));
          }
          return Future.succeededFuture();
        });
  }

  /** The email's count as its attempt's transaction left it. */
  private static Future<Row> counted(SqlClient tx, Map<String, Object> key) {
    return Templates.forQuery(tx, AccountSql.SELECT_FAILURES).execute(key).map(rows -> rows.iterator().next());
  }

  /** The attempt failed: it was counted when it began ({@link #attempt}); rows of ended windows are swept here. */
  Future<Void> failed() {
    long now = System.currentTimeMillis();
    if (now - swept < 60_000) {
      return Future.succeededFuture();
    }
    swept = now;
    return Templates.forUpdate(database.pool(), AccountSql.DELETE_OLD_FAILURES)
        .execute(Map.of("before", now - windowMs)).mapEmpty();
  }

  Future<Void> clear(String email) {
    return Templates.forUpdate(database.pool(), AccountSql.CLEAR_FAILURES).execute(Map.of("email_key", UserFields.key(email)))
        .mapEmpty();
  }
}
