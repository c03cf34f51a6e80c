package dev.parley.tool;

import dev.parley.testing.OnPostgres;

@OnPostgres
class ToolCallStoragePostgresTest extends ToolCallStorageTest {
}
