package dev.parley.http;

import dev.parley.testing.OnPostgres;

/** {@link ApiTokensTest} on PostgreSQL. */
@OnPostgres
class ApiTokensPostgresTest extends ApiTokensTest {
}
