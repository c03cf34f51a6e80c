package dev.parley.common;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.util.Set;
import org.sqlite.SQLiteException;

/**
 * Tells a database that cannot serve right now (full, locked, read-only, unreadable, its connection
 * dropped) from a bug. The first is a 503 {@code storage_unavailable} a client may retry; the second
 * stays a 500. Either way no SQL or driver text reaches a client.
 *
 * <p>It lives in {@code common}, not {@code db}: {@link Failures} (every component's reply path) and
 * {@link TurnMetrics} need it, and {@code db} depends on {@code common}, never the other way round.
 */
public final class StorageFailures {

  public static final String CODE = "storage_unavailable";

  /**
   * SQLite primary result codes of a database that cannot serve: BUSY, LOCKED, NOMEM, READONLY,
   * IOERR, CORRUPT, FULL, CANTOPEN, NOTADB (https://www.sqlite.org/rescode.html).
   */
  private static final Set<Integer> SQLITE_UNAVAILABLE = Set.of(5, 6, 7, 8, 10, 11, 13, 14, 26);

  /**
   * PostgreSQL SQLSTATE classes of a server that cannot serve: 08 connection exception, 53 insufficient
   * resources (disk full, out of memory, too many connections), 57 operator intervention (the backend was
   * terminated, the server is shutting down or starting), 58 system error (I/O).
   */
  private static final Set<String> POSTGRES_UNAVAILABLE = Set.of("08", "53", "57", "58");

  private StorageFailures() {
  }

  /**
   * Whether {@code failure} (or a cause) says the database cannot serve right now. An I/O failure counts:
   * the SQL clients report a connection reset or refused as a plain {@link IOException}, and the other
   * components turn their own I/O failures (model calls, fetched URLs) into specific errors first.
   */
  public static boolean isUnavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ClosedConnectionException || t instanceof IOException) {
        return true;
      }
      if (t instanceof SQLiteException sqlite && SQLITE_UNAVAILABLE.contains(sqlite.getResultCode().code & 0xff)) {
        return true;
      }
      if (t instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().length() == 5
          && POSTGRES_UNAVAILABLE.contains(pg.getSqlState().substring(0, 2))) {
        return true;
      }
    }
    return false;
  }

  /** The client's view of a database that cannot serve right now, with {@code message} saying what was not done. */
  public static ParleyException unavailable(String message) {
    return new ParleyException(ErrorCodes.UNAVAILABLE, CODE, message);
  }

  /** One line for the log: the driver's reason, without a stack trace. */
  public static String reason(Throwable failure) {
    Throwable root = failure;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      root = t;
    }
    String message = root.getMessage();
    return root.getClass().getSimpleName() + (message == null ? "" : ": " + message.strip());
  }
}
