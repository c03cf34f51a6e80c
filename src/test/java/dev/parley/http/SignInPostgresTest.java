package dev.parley.http;

import dev.parley.testing.OnPostgres;

/** {@link SignInTest} on PostgreSQL. */
@OnPostgres
class SignInPostgresTest extends SignInTest {
}
