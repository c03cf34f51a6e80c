package dev.parley.rag;

import dev.parley.testing.OnPostgres;

/** {@link DocumentWritesTest} on PostgreSQL. */
@OnPostgres
class DocumentWritesPostgresTest extends DocumentWritesTest {
}
