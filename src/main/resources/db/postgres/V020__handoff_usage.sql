-- Issue 14, the usage charts of humans in the conversation: per bot and UTC day, the requests for a person by
-- trigger (a closed set) and the first agent replies after one (their count and summed wait, so the average stays
-- exact). Added to in the transaction that changes the conversation, like the rest of usage_daily.
ALTER TABLE usage_daily ADD COLUMN handoffs_visitor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_daily ADD COLUMN handoffs_keywords BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_daily ADD COLUMN handoffs_no_answer_turns BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_daily ADD COLUMN handoffs_negative_feedback BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_daily ADD COLUMN handoffs_tool BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_daily ADD COLUMN first_replies BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_daily ADD COLUMN first_reply_ms_sum BIGINT NOT NULL DEFAULT 0;

-- A follow-up's contact, given by the visitor to be reached (shown to the agents, never on the visitor's channel).
ALTER TABLE conversations ADD COLUMN follow_up_name TEXT;
ALTER TABLE conversations ADD COLUMN follow_up_email TEXT;
