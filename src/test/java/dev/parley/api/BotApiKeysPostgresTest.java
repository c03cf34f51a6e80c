package dev.parley.api;

import dev.parley.testing.OnPostgres;

/** {@link BotApiKeysTest} on PostgreSQL. */
@OnPostgres
class BotApiKeysPostgresTest extends BotApiKeysTest {
}
