package dev.parley.http;

import dev.parley.testing.OnPostgres;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;

/** {@link ChatApiTest} on PostgreSQL. */
@OnPostgres
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ChatApiPostgresTest extends ChatApiTest {
}
