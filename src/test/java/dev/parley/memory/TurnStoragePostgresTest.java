package dev.parley.memory;

import dev.parley.OnPostgres;

@OnPostgres
class TurnStoragePostgresTest extends TurnStorageTest {
}
