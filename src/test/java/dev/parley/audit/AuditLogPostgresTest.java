package dev.parley.audit;

import dev.parley.testing.OnPostgres;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;

/** {@link AuditLogTest} on PostgreSQL. */
@OnPostgres
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class AuditLogPostgresTest extends AuditLogTest {
}
