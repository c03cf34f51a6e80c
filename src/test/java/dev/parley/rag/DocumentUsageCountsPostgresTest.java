package dev.parley.rag;

import dev.parley.testing.OnPostgres;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;

/** {@link DocumentUsageCountsTest} on PostgreSQL. */
@OnPostgres
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class DocumentUsageCountsPostgresTest extends DocumentUsageCountsTest {
}
