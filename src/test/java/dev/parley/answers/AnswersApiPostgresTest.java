package dev.parley.answers;

import dev.parley.testing.OnPostgres;

/** {@link AnswersApiTest} on PostgreSQL. */
@OnPostgres
class AnswersApiPostgresTest extends AnswersApiTest {
}
