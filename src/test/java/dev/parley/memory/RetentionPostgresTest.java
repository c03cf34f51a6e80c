package dev.parley.memory;

import dev.parley.testing.OnPostgres;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;

/** {@link RetentionTest} on PostgreSQL. */
@OnPostgres
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class RetentionPostgresTest extends RetentionTest {
}
