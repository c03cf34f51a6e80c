package dev.parley.api;

import dev.parley.testing.OnPostgres;

/** {@link OpenAiApiTest} on PostgreSQL: the keys and the conversations' channel are stored there. */
@OnPostgres
class OpenAiApiPostgresTest extends OpenAiApiTest {
}
