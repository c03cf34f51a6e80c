package dev.parley.security;

import dev.parley.testing.OnPostgres;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;

/** {@link NulCharactersTest} on PostgreSQL, whose text columns cannot hold NUL at all. */
@OnPostgres
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class NulCharactersPostgresTest extends NulCharactersTest {
}
