-- documents.embedding_model now names the model of the document's vectors in the index, and is
-- NULL while it has none: pending documents, failed ones (their vectors were removed) and sitemaps
-- (their pages are the documents). Re-index decisions compare it with the configured model.

UPDATE documents SET embedding_model = NULL WHERE status IN ('pending', 'failed') OR source = 'sitemap';
CREATE INDEX documents_bot_model ON documents (bot_id, embedding_model);
