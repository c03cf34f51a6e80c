package dev.parley.memory;

import dev.parley.testing.OnPostgres;

@OnPostgres
class ConversationStatePostgresTest extends ConversationStateTest {
}
