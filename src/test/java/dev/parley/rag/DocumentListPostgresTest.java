package dev.parley.rag;

import dev.parley.testing.OnPostgres;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;

/** {@link DocumentListTest} on PostgreSQL. */
@OnPostgres
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class DocumentListPostgresTest extends DocumentListTest {
}
