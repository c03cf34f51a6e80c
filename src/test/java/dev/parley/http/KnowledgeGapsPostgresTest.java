package dev.parley.http;

import dev.parley.testing.OnPostgres;

/** {@link KnowledgeGapsTest} on PostgreSQL. */
@OnPostgres
class KnowledgeGapsPostgresTest extends KnowledgeGapsTest {
}
