-- (PostgreSQL) The tool calls of a turn (issue 15), on its answer (or on the visitor's message when the turn failed without
-- text): a JSON list of {tool, type, arguments, result, status, error, latency_ms, step}, arguments and result cut
-- to 2000 characters. NULL when the turn called no tool. Shown in the conversation log only, never to the visitor.

ALTER TABLE messages ADD COLUMN tool_calls TEXT;
