package dev.parley.http;

import dev.parley.testing.OnPostgres;

/** {@link EvaluationsApiTest} on PostgreSQL. */
@OnPostgres
class EvaluationsApiPostgresTest extends EvaluationsApiTest {
}
