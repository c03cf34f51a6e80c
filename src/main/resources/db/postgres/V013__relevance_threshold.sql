-- rag.min_score was a cosine similarity; it is now the relevance the best passage must reach (a calibrated
-- chance, 0-1, that it is the passage that answers). A cosine threshold means nothing on that scale, so every
-- bot gets the new default (docs/retrieval.md has how it was chosen); operators may tune it again.
UPDATE bots SET config = jsonb_set(config::jsonb, '{rag,min_score}', '0.06'::jsonb)::text
WHERE jsonb_typeof(config::jsonb #> '{rag,min_score}') = 'number';
