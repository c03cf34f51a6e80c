-- Humans in the conversation (issue 14). A conversation has a state: bot (default), waiting (a person was asked
-- for), human (an agent holds it: assignee_*), closed. state_reason and state_trigger say why it last changed,
-- state_at when; handoff_at is when the open request for a person was made (time to first human reply);
-- no_answer_streak counts the bot's turns in a row whose retrieval found nothing (the no_answer_turns trigger);
-- agent_seq is the seq up to which agents have seen the visitor (the last agent message, or the handoff): later visitor
-- messages are unread.
ALTER TABLE conversations ADD COLUMN state TEXT NOT NULL DEFAULT 'bot';
ALTER TABLE conversations ADD COLUMN assignee_id TEXT;
ALTER TABLE conversations ADD COLUMN assignee_name TEXT;
ALTER TABLE conversations ADD COLUMN state_reason TEXT;
ALTER TABLE conversations ADD COLUMN state_trigger TEXT;
ALTER TABLE conversations ADD COLUMN state_at BIGINT;
ALTER TABLE conversations ADD COLUMN handoff_at BIGINT;
ALTER TABLE conversations ADD COLUMN no_answer_streak INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN agent_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX conversations_state_updated ON conversations (state, updated_at);

-- Messages may now be written by an agent (role agent) or be an internal note (role note, never shown to the
-- visitor), with their author.
ALTER TABLE messages DROP CONSTRAINT messages_role_check;
ALTER TABLE messages ADD CONSTRAINT messages_role_check CHECK (role IN ('user', 'assistant', 'agent', 'note'));
ALTER TABLE messages ADD COLUMN author_id TEXT;
ALTER TABLE messages ADD COLUMN author_name TEXT;

-- What a visitor's channel replays (message of an agent, state changes), in order: id only grows. Each append
-- first updates its conversation's row in the same transaction, so one session's events commit in id order.
CREATE TABLE conversation_events (
  id              BIGSERIAL PRIMARY KEY,
  bot_id          TEXT COLLATE "C" NOT NULL,
  session_id      TEXT COLLATE "C" NOT NULL,
  conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  type            TEXT NOT NULL,
  data            TEXT NOT NULL,
  at              BIGINT NOT NULL
);
CREATE INDEX conversation_events_session ON conversation_events (bot_id, session_id, id);
CREATE INDEX conversation_events_conversation ON conversation_events (conversation_id);
