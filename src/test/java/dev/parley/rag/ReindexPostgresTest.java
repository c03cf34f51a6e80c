package dev.parley.rag;

import dev.parley.testing.OnPostgres;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;

/** {@link ReindexTest} on PostgreSQL. */
@OnPostgres
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ReindexPostgresTest extends ReindexTest {
}
