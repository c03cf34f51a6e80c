package dev.parley.http;

import dev.parley.testing.OnPostgres;

/** {@link UsersApiTest} on PostgreSQL. */
@OnPostgres
class UsersApiPostgresTest extends UsersApiTest {
}
