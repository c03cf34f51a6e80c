package dev.parley.rag;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link QdrantStore}'s calls to Qdrant: collections (created on first use, with keyword payload indexes on
 * {@code bot_id} and {@code document_id}), upserts, deletes and vector searches. The client's guava
 * {@code ListenableFuture}s become Vert.x futures completed on the store's context; a failed call a 503
 * {@code vector_store_unavailable} with a safe message.
 */
final class QdrantCollections {

  private static final Logger LOG = LoggerFactory.getLogger(QdrantCollections.class);
  private static final int UPSERT_BATCH = 256;

  private final Context context;
  private final QdrantClient client;
  private final Set<String> known = ConcurrentHashMap.newKeySet();

  QdrantCollections(Context context, QdrantClient client) {
    this.context = context;
    this.client = client;
  }

  /** Fails unless Qdrant answers its health check. */
  Future<Void> health() {
    return call(client::healthCheckAsync).mapEmpty();
  }

  /** The nearest points of {@code collection} that match {@code filter}; none when the collection does not exist. */
  Future<List<ScoredPoint>> vectorSearch(String collection, Filter filter, float[] vector, int limit) {
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
  Future<Void> ensure(String collection, int dimension) {
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

  /** Writes the points in batches, each waited for. */
  Future<Void> upsert(String collection, List<PointStruct> points, int from) {
    if (from >= points.size()) {
      return Future.succeededFuture();
    }
    List<PointStruct> batch = points.subList(from, Math.min(points.size(), from + UPSERT_BATCH));
    UpsertPoints request = UpsertPoints.newBuilder().setCollectionName(collection).setWait(true)
        .addAllPoints(batch).build();
    return call(() -> client.upsertAsync(request)).compose(r -> upsert(collection, points, from + batch.size()));
  }

  Future<Void> delete(String collection, Filter filter) {
    DeletePoints request = DeletePoints.newBuilder().setCollectionName(collection).setWait(true)
        .setPoints(PointsSelector.newBuilder().setFilter(filter)).build();
    return call(() -> client.deleteAsync(request)).mapEmpty();
  }

  /** Deletes the points that match {@code filter} in every collection of Parley's. */
  Future<Void> deleteEverywhere(Filter filter) {
    return collections().compose(all -> Future.all(all.stream().map(c -> delete(c, filter)).toList())).mapEmpty();
  }

  /** Parley's collections (one per model that has been used). */
  Future<List<String>> collections() {
    return call(client::listCollectionsAsync)
        .map(names -> names.stream().filter(n -> n.startsWith(QdrantStore.PREFIX)).toList());
  }

  /**
   * Runs a client call and completes a Vert.x future with its result on the store's context.
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
