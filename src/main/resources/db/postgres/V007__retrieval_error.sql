-- (PostgreSQL) Why the knowledge-base search of a turn failed, on the visitor's message (an error code such as
-- timeout or service_unavailable): the turn was answered without passages. NULL when the search worked
-- or the bot does not use its knowledge base.

ALTER TABLE messages ADD COLUMN retrieval_error TEXT;
