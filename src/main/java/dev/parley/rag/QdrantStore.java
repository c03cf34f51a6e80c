package dev.parley.rag;

import static io.qdrant.client.ConditionFactory.hasId;
import static io.qdrant.client.ConditionFactory.matchKeyword;

import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.ValueFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * {@link VectorStore} on Qdrant (io.qdrant:client over gRPC) for deployments that outgrow one
 * node's Lucene index. One collection per embedding model ({@code parley_<model>}, cosine
 * distance, created on first use with keyword payload indexes on {@code bot_id} and
 * {@code document_id}); a point per chunk, its id a UUID derived from the chunk id, its payload
 * {@code bot_id, document_id, document_name, chunk_id, position, heading, content, model}. Every
 * search carries a {@code bot_id} filter, so bots never see each other's chunks.
 *
 * <p>Hybrid retrieval keeps working: BM25 needs a text index, which Qdrant does not rank, so the
 * chunks' text (no vectors) also goes to a local Lucene index; a hybrid search runs the Qdrant
 * vector search and the BM25 search together and fuses them by reciprocal rank, asking Qdrant for
 * the cosine of chunks that BM25 alone found. That text index is per node: with Qdrant, run the
 * {@code rag} role on one node, as with Lucene, or accept vector-only results elsewhere.
 *
 * <p>The calls themselves ({@link QdrantCollections}) bridge the client's guava futures to Vert.x futures
 * completed on the caller's context; nothing waits on a thread.
 */
final class QdrantStore implements VectorStore {

  static final String PREFIX = "parley_";

  private final Context context;
  private final QdrantClient client;
  private final KnowledgeIndex text;
  private final WorkerExecutor writers;
  private final WorkerExecutor readers;
  private final String description;
  private final QdrantCollections qdrant;

  /** {@code context} is where the store's futures complete: the verticle's. */
  QdrantStore(Context context, QdrantClient client, KnowledgeIndex text, WorkerExecutor writers,
      WorkerExecutor readers, String description) {
    this.context = context;
    this.client = client;
    this.text = text;
    this.writers = writers;
    this.readers = readers;
    this.description = description;
    this.qdrant = new QdrantCollections(context, client);
  }

  /**
   * A client for {@code rag.qdrant}: {@code host} (localhost), {@code port} (6334, gRPC),
   * {@code api_key}, {@code tls} (false), {@code timeout_ms} (10000). Connects lazily.
   */
  static QdrantClient connect(JsonObject config) {
    QdrantGrpcClient.Builder builder = QdrantGrpcClient.newBuilder(config.getString("host", "localhost"),
            config.getInteger("port", 6334), config.getBoolean("tls", false), false)
        .withTimeout(Duration.ofMillis(config.getLong("timeout_ms", 10_000L)));
    String apiKey = config.getString("api_key");
    if (apiKey != null && !apiKey.isBlank()) {
      builder.withApiKey(apiKey);
    }
    return new QdrantClient(builder.build());
  }

  /** The collection of an embedding model. */
  static String collection(String model) {
    return PREFIX + model.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "_");
  }

  /** The point id of a chunk: stable, so re-ingesting a document overwrites its points. */
  static PointId pointId(String chunkId) {
    return PointIdFactory.id(UUID.nameUUIDFromBytes(chunkId.getBytes(StandardCharsets.UTF_8)));
  }

  /** Fails unless Qdrant answers its health check. */
  Future<Void> check() {
    return qdrant.health();
  }

  @Override
  public Future<Void> replaceDocument(String botId, String documentId, String documentName, String model,
      List<KnowledgeIndex.Entry> entries) {
    String collection = collection(model);
    List<PointStruct> points = new ArrayList<>(entries.size());
    List<KnowledgeIndex.Entry> textOnly = new ArrayList<>(entries.size());
    List<PointId> ids = new ArrayList<>(entries.size());
    for (KnowledgeIndex.Entry e : entries) {
      PointId id = pointId(e.chunkId());
      ids.add(id);
      Map<String, Value> payload = new HashMap<>();
      payload.put("bot_id", ValueFactory.value(botId));
      payload.put("document_id", ValueFactory.value(documentId));
      payload.put("document_name", ValueFactory.value(documentName));
      payload.put("chunk_id", ValueFactory.value(e.chunkId()));
      payload.put("position", ValueFactory.value((long) e.position()));
      payload.put("heading", e.heading() == null ? ValueFactory.nullValue() : ValueFactory.value(e.heading()));
      payload.put("content", ValueFactory.value(e.content()));
      payload.put("model", ValueFactory.value(model));
      points.add(PointStruct.newBuilder().setId(id).setVectors(VectorsFactory.vectors(e.vector()))
          .putAllPayload(payload).build());
      textOnly.add(new KnowledgeIndex.Entry(e.chunkId(), e.position(), e.heading(), e.content(), null));
    }
    Future<Void> ready = entries.isEmpty() ? Future.succeededFuture() : qdrant.ensure(collection, entries.get(0).vector().length);
    return ready
        .compose(v -> qdrant.upsert(collection, points, 0))
        // then drop what the document had before: chunks past its new end here, everything in other models
        .compose(v -> qdrant.collections())
        .compose(all -> {
          List<Future<Void>> deletes = new ArrayList<>();
          for (String other : all) {
            Filter.Builder filter = Filter.newBuilder().addMust(matchKeyword("document_id", documentId));
            if (other.equals(collection) && !ids.isEmpty()) {
              filter.addMustNot(hasId(ids));
            }
            deletes.add(qdrant.delete(other, filter.build()));
          }
          return Future.all(deletes);
        })
        .compose(v -> writers.executeBlocking(() -> {
          text.replaceDocument(botId, documentId, documentName, textOnly);
          return null;
        }, false));
  }

  @Override
  public Future<Void> deleteDocument(String documentId) {
    return qdrant.deleteEverywhere(Filter.newBuilder().addMust(matchKeyword("document_id", documentId)).build())
        .compose(v -> writers.executeBlocking(() -> {
          text.deleteDocument(documentId);
          return null;
        }, false));
  }

  @Override
  public Future<Void> deleteBot(String botId) {
    return qdrant.deleteEverywhere(botFilter(botId))
        .compose(v -> writers.executeBlocking(() -> {
          text.deleteBot(botId);
          return null;
        }, false));
  }

  @Override
  public Future<Integer> count(String botId) {
    return readers.executeBlocking(() -> text.count(botId), false);
  }

  @Override
  public Future<List<KnowledgeIndex.Hit>> search(String botId, String model, String query, float[] vector, int topK,
      double minScore, KnowledgeIndex.Mode mode) {
    if (mode == KnowledgeIndex.Mode.BM25) {
      return readers.executeBlocking(() -> text.search(botId, query, null, topK, minScore, mode), false);
    }
    int k = Math.max(KnowledgeIndex.CANDIDATES, topK);
    String collection = collection(model);
    Future<List<ScoredPoint>> nearest = qdrant.vectorSearch(collection, botFilter(botId), vector, k);
    Future<List<KnowledgeIndex.Hit>> bm25 = mode == KnowledgeIndex.Mode.VECTOR ? Future.succeededFuture(List.of())
        : readers.executeBlocking(() -> text.search(botId, query, null, k, -1.0, KnowledgeIndex.Mode.BM25), false);
    return Future.all(nearest, bm25).compose(both -> {
      Map<String, Candidate> candidates = new LinkedHashMap<>();
      List<ScoredPoint> points = both.resultAt(0);
      for (int rank = 0; rank < points.size(); rank++) {
        ScoredPoint p = points.get(rank);
        Candidate c = candidates.computeIfAbsent(p.getPayloadMap().get("chunk_id").getStringValue(), id -> new Candidate());
        c.fused += 1.0 / (KnowledgeIndex.RRF_K + rank + 1);
        c.cosine = p.getScore();
        c.hit = hit(p);
      }
      List<KnowledgeIndex.Hit> textHits = both.resultAt(1);
      for (int rank = 0; rank < textHits.size(); rank++) {
        KnowledgeIndex.Hit h = textHits.get(rank);
        Candidate c = candidates.computeIfAbsent(h.documentId() + ":" + h.position(), id -> new Candidate());
        c.fused += 1.0 / (KnowledgeIndex.RRF_K + rank + 1);
        if (c.hit == null) {
          c.hit = h;
        }
      }
      List<PointId> missing = new ArrayList<>();
      candidates.forEach((id, c) -> {
        if (Double.isNaN(c.cosine)) {
          missing.add(pointId(id));
        }
      });
      Future<List<ScoredPoint>> cosines = missing.isEmpty() ? Future.succeededFuture(List.of())
          : qdrant.vectorSearch(collection, botFilter(botId).toBuilder().addMust(hasId(missing)).build(), vector,
              missing.size());
      return cosines.map(scored -> {
        Map<String, Float> found = new HashMap<>();
        for (ScoredPoint p : scored) {
          found.put(p.getPayloadMap().get("chunk_id").getStringValue(), p.getScore());
        }
        List<Map.Entry<String, Candidate>> ranked = new ArrayList<>(candidates.entrySet());
        ranked.sort(Comparator.comparingDouble((Map.Entry<String, Candidate> e) -> -e.getValue().fused)
            .thenComparing(Map.Entry::getKey));
        List<KnowledgeIndex.Hit> hits = new ArrayList<>();
        for (Map.Entry<String, Candidate> e : ranked) {
          if (hits.size() >= topK) {
            break;
          }
          Candidate c = e.getValue();
          // a chunk without a vector of this model (not re-embedded yet) has no similarity
          double cosine = Double.isNaN(c.cosine) ? found.getOrDefault(e.getKey(), 0f) : c.cosine;
          if (cosine < minScore) {
            continue;
          }
          KnowledgeIndex.Hit h = c.hit;
          hits.add(new KnowledgeIndex.Hit(h.documentId(), h.documentName(), h.heading(), h.content(), h.position(),
              cosine, c.fused, h.bm25(), h.terms()));
        }
        return hits;
      });
    });
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public Future<Void> close() {
    return context.owner().executeBlocking(() -> {
      try {
        client.close();
      } finally {
        text.release();
      }
      return null;
    });
  }

  private static final class Candidate {
    double fused;
    double cosine = Double.NaN;
    KnowledgeIndex.Hit hit;
  }

  private static KnowledgeIndex.Hit hit(ScoredPoint p) {
    Map<String, Value> payload = p.getPayloadMap();
    Value heading = payload.get("heading");
    return new KnowledgeIndex.Hit(payload.get("document_id").getStringValue(),
        payload.get("document_name").getStringValue(),
        heading == null || heading.hasNullValue() ? null : heading.getStringValue(),
        payload.get("content").getStringValue(), (int) payload.get("position").getIntegerValue(), p.getScore(),
        0);
  }

  private static Filter botFilter(String botId) {
    return Filter.newBuilder().addMust(matchKeyword("bot_id", botId)).build();
  }
}
