package dev.parley.rag;

import static io.qdrant.client.ConditionFactory.hasId;
import static io.qdrant.client.ConditionFactory.matchKeyword;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.ValueFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>The client's guava {@code ListenableFuture}s are bridged to Vert.x futures completed on the
 * caller's context; nothing waits on a thread.
 */
final class QdrantStore implements VectorStore {

  static final String PREFIX = "parley_";
  private static final Logger LOG = LoggerFactory.getLogger(QdrantStore.class);
  private static final int UPSERT_BATCH = 256;

  private final Context context;
  private final QdrantClient client;
  private final KnowledgeIndex text;
  private final WorkerExecutor writers;
  private final WorkerExecutor readers;
  private final String description;
  private final Set<String> known = ConcurrentHashMap.newKeySet();

  /** {@code context} is where the store's futures complete: the verticle's. */
  QdrantStore(Context context, QdrantClient client, KnowledgeIndex text, WorkerExecutor writers,
      WorkerExecutor readers, String description) {
    this.context = context;
    this.client = client;
    this.text = text;
    this.writers = writers;
    this.readers = readers;
    this.description = description;
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
    return call(client::healthCheckAsync).mapEmpty();
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
    Future<Void> ready = entries.isEmpty() ? Future.succeededFuture() : ensure(collection, entries.get(0).vector().length);
    return ready
        .compose(v -> upsert(collection, points, 0))
        // then drop what the document had before: chunks past its new end here, everything in other models
        .compose(v -> collections())
        .compose(all -> {
          List<Future<Void>> deletes = new ArrayList<>();
          for (String other : all) {
            Filter.Builder filter = Filter.newBuilder().addMust(matchKeyword("document_id", documentId));
            if (other.equals(collection) && !ids.isEmpty()) {
              filter.addMustNot(hasId(ids));
            }
            deletes.add(delete(other, filter.build()));
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
    return deleteEverywhere(Filter.newBuilder().addMust(matchKeyword("document_id", documentId)).build())
        .compose(v -> writers.executeBlocking(() -> {
          text.deleteDocument(documentId);
          return null;
        }, false));
  }

  @Override
  public Future<Void> deleteBot(String botId) {
    return deleteEverywhere(botFilter(botId))
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
    Future<List<ScoredPoint>> nearest = vectorSearch(collection, botFilter(botId), vector, k);
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
          : vectorSearch(collection, botFilter(botId).toBuilder().addMust(hasId(missing)).build(), vector,
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
              cosine, c.fused));
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

  private Future<List<ScoredPoint>> vectorSearch(String collection, Filter filter, float[] vector, int limit) {
    return exists(collection).compose(exists -> {
      if (!exists) {
        return Future.succeededFuture(List.of());
      }
      SearchPoints.Builder request = SearchPoints.newBuilder().setCollectionName(collection).setFilter(filter)
          .setLimit(limit).setWithPayload(WithPayloadSelectorFactory.enable(true));
      for (float f : vector) {
        request.addVector(f);
      }
      return call(() -> client.searchAsync(request.build()));
    });
  }

  private Future<Boolean> exists(String collection) {
    if (known.contains(collection)) {
      return Future.succeededFuture(true);
    }
    return call(() -> client.collectionExistsAsync(collection)).onSuccess(exists -> {
      if (exists) {
        known.add(collection);
      }
    });
  }

  /** Creates the model's collection unless it exists (another node may create it at the same time). */
  private Future<Void> ensure(String collection, int dimension) {
    return exists(collection).compose(exists -> {
      if (exists) {
        return Future.succeededFuture();
      }
      CreateCollection create = CreateCollection.newBuilder().setCollectionName(collection)
          .setVectorsConfig(VectorsConfig.newBuilder().setParams(
              VectorParams.newBuilder().setSize(dimension).setDistance(Distance.Cosine)))
          .build();
      return call(() -> client.createCollectionAsync(create))
          .<Void>mapEmpty()
          .recover(failure -> status(failure) == Status.Code.ALREADY_EXISTS ? Future.succeededFuture()
              : Future.failedFuture(failure))
          .compose(v -> Future.all(index(collection, "bot_id"), index(collection, "document_id")))
          .<Void>mapEmpty()
          .onSuccess(v -> {
            known.add(collection);
            LOG.info("Created Qdrant collection {} ({} dimensions, cosine)", collection, dimension);
          });
    });
  }

  private Future<Void> index(String collection, String field) {
    return call(() -> client.createPayloadIndexAsync(collection, field, PayloadSchemaType.Keyword, null, true, null,
        null)).mapEmpty();
  }

  private Future<Void> upsert(String collection, List<PointStruct> points, int from) {
    if (from >= points.size()) {
      return Future.succeededFuture();
    }
    List<PointStruct> batch = points.subList(from, Math.min(points.size(), from + UPSERT_BATCH));
    UpsertPoints request = UpsertPoints.newBuilder().setCollectionName(collection).setWait(true)
        .addAllPoints(batch).build();
    return call(() -> client.upsertAsync(request)).compose(r -> upsert(collection, points, from + batch.size()));
  }

  private Future<Void> delete(String collection, Filter filter) {
    DeletePoints request = DeletePoints.newBuilder().setCollectionName(collection).setWait(true)
        .setPoints(PointsSelector.newBuilder().setFilter(filter)).build();
    return call(() -> client.deleteAsync(request)).mapEmpty();
  }

  private Future<Void> deleteEverywhere(Filter filter) {
    return collections().compose(all -> Future.all(all.stream().map(c -> delete(c, filter)).toList())).mapEmpty();
  }

  /** Parley's collections (one per model that has been used). */
  private Future<List<String>> collections() {
    return call(client::listCollectionsAsync)
        .map(names -> names.stream().filter(n -> n.startsWith(PREFIX)).toList());
  }

  /**
   * Runs a client call and completes a Vert.x future with its result on this store's context.
   * A failure becomes a 503 with a safe message; the gRPC status is logged.
   */
  private <T> Future<T> call(Supplier<ListenableFuture<T>> operation) {
    Promise<T> promise = Promise.promise();
    ListenableFuture<T> pending;
    try {
      pending = operation.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(unavailable(e));
    }
    Futures.addCallback(pending, new FutureCallback<T>() {
      @Override
      public void onSuccess(T result) {
        context.runOnContext(v -> promise.complete(result));
      }

      @Override
      public void onFailure(Throwable failure) {
        context.runOnContext(v -> promise.fail(unavailable(failure)));
      }
    }, MoreExecutors.directExecutor());
    return promise.future();
  }

  private static Throwable unavailable(Throwable failure) {
    if (status(failure) == Status.Code.ALREADY_EXISTS) {
      return failure;
    }
    LOG.warn("Qdrant call failed: {}", failure.toString());
    return new ParleyException(ErrorCodes.UNAVAILABLE, "vector_store_unavailable",
        "The vector store (Qdrant) is unavailable; try again later");
  }

  private static Status.Code status(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException grpc) {
        return grpc.getStatus().getCode();
      }
    }
    return null;
  }
}
