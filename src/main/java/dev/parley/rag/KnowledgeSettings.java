package dev.parley.rag;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * The knowledge base's limits and places, from the {@code rag} config (defaults in {@link RagVerticle}'s
 * Javadoc): how documents are chunked, how many are ingested at once, how large a document and a sitemap may
 * be, the bot quotas, and where original files and the local model's cache live under the data folder.
 */
record KnowledgeSettings(int chunkSize, int chunkOverlap, int concurrency, long maxBytes, int maxSitemapPages,
    int maxSitemapFiles, Quotas quotas, Path filesDir, Path modelCache) {

  static KnowledgeSettings from(JsonObject config, Path dataDir) {
    return new KnowledgeSettings(
        config.getInteger("chunk_size", 800),
        config.getInteger("chunk_overlap", 150),
        Math.max(1, config.getInteger("ingest_concurrency", 8)),
        config.getLong("max_document_bytes", 20L * 1024 * 1024),
        Math.max(1, config.getInteger("max_sitemap_pages", 200)),
        Math.max(0, config.getInteger("max_sitemap_files", 50)),
        new Quotas(config.getLong("max_documents_per_bot", Quotas.DEFAULT_DOCUMENTS),
            config.getLong("max_bytes_per_bot", Quotas.DEFAULT_BYTES)),
        dataDir.resolve("documents"),
        dataDir.resolve("djl"));
  }
}
