package dev.parley.security;

import dev.parley.testing.OnPostgres;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;

/** {@link SessionClearTest} on PostgreSQL. */
@OnPostgres
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class SessionClearPostgresTest extends SessionClearTest {
}
