-- rag.min_score was a cosine similarity; it is now the relevance the best passage must reach (a calibrated
-- chance, 0-1, that it is the passage that answers). A cosine threshold means nothing on that scale, so every
-- bot gets the new default (docs/retrieval.md has how it was chosen); operators may tune it again.
UPDATE bots SET config = json_set(config, '$.rag.min_score', 0.06)
WHERE json_type(config, '$.rag.min_score') IN ('integer', 'real');
