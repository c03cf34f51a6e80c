-- Exports page through a bot's conversations in the order they started: a keyset on (created_at, id).

CREATE INDEX conversations_bot_created ON conversations (bot_id, created_at, id);
