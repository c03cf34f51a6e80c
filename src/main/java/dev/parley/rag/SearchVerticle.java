package dev.parley.rag;

import dev.parley.common.Addresses;
import dev.parley.common.BusHandlers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Serves {@code parley.rag.search} ({@link TurnSearch}) on a search worker thread ({@link RagVerticle} deploys
 * {@code search_threads} instances on the {@code parley-rag-search} pool): the index search, the query's embedding when
 * it is not known yet, and the re-ranking run on the thread the request arrived on, where they used to go from the
 * rag event loop to a search worker and back (two hand-offs, and the re-ranking of every search on one event loop).
 */
final class SearchVerticle extends VerticleBase {

  private final TurnSearch searches;

  SearchVerticle(TurnSearch searches) {
    this.searches = searches;
  }

  @Override
  public Future<?> start() {
    return BusHandlers.register(vertx, Addresses.RAG_SEARCH, searches::search);
  }
}
