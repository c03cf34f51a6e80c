package dev.parley.http;

import dev.parley.testing.OnPostgres;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;

/** {@link SessionErasureTest} on PostgreSQL. */
@OnPostgres
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class SessionErasurePostgresTest extends SessionErasureTest {
}
