package dev.parley.rag;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.CollectionDescription;
import io.qdrant.client.grpc.Collections.CollectionExists;
import io.qdrant.client.grpc.Collections.CollectionExistsRequest;
import io.qdrant.client.grpc.Collections.CollectionExistsResponse;
import io.qdrant.client.grpc.Collections.CollectionOperationResponse;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.ListCollectionsRequest;
import io.qdrant.client.grpc.Collections.ListCollectionsResponse;
import io.qdrant.client.grpc.CollectionsGrpc;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsOperationResponse;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.SearchResponse;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.PointsGrpc;
import io.qdrant.client.grpc.QdrantGrpc;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckReply;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Qdrant server in the test JVM, built from the client jar's own gRPC service stubs and reached
 * over grpc-inprocess: collections (exists, create, list), points (upsert, search with filter,
 * delete by filter, payload indexes) and the health check, with cosine scoring and the filter
 * conditions Parley sends (keyword match and has_id in must / must_not). Every request is kept
 * for assertions. {@link #listen()} serves the same over TCP on loopback.
 */
final class FakeQdrant {

  /** A stored point. */
  record Point(PointId id, float[] vector, Map<String, Value> payload) {
  }

  final Map<String, Integer> dimensions = new ConcurrentHashMap<>();
  final Map<String, Map<PointId, Point>> collections = new ConcurrentHashMap<>();
  final List<Object> requests = new CopyOnWriteArrayList<>();
  volatile boolean down;
  /** How long each point deletion is held before it is answered (0: at once), and the most held at one time. */
  volatile long deleteHoldMs;
  final java.util.concurrent.atomic.AtomicInteger deletesHeld = new java.util.concurrent.atomic.AtomicInteger();
  final java.util.concurrent.atomic.AtomicInteger mostDeletesHeld = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.ScheduledExecutorService timer =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor();

  private final String name = InProcessServerBuilder.generateName();
  private Server server;
  private Server tcp;

  FakeQdrant start() throws IOException {
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new Collections()).addService(new Points()).addService(new Health()).build().start();
    return this;
  }

  /** A client of this server, as Parley makes one (compatibility check off, as in production). */
  QdrantClient client() {
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    return new QdrantClient(QdrantGrpcClient.newBuilder(channel, true, false).build());
  }

  /**
   * Also serves on a TCP port of 127.0.0.1 (plain gRPC over grpc-netty-shaded, as the client jar ships it),
   * for a whole Parley configured with {@code rag.qdrant: {host, port}}. Answers the port.
   */
  int listen() throws IOException {
    tcp = io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder
        .forAddress(new java.net.InetSocketAddress("127.0.0.1", 0))
        .addService(new Collections()).addService(new Points()).addService(new Health()).build().start();
    return tcp.getPort();
  }

  void stop() {
    if (tcp != null) {
      tcp.shutdownNow();
    }
    server.shutdownNow();
    timer.shutdownNow();
  }

  <T> List<T> requests(Class<T> type) {
    return requests.stream().filter(type::isInstance).map(type::cast).toList();
  }

  int size(String collection) {
    return collections.getOrDefault(collection, Map.of()).size();
  }

  private boolean refuse(StreamObserver<?> response) {
    if (down) {
      response.onError(Status.UNAVAILABLE.withDescription("down").asRuntimeException());
    }
    return down;
  }

  final class Collections extends CollectionsGrpc.CollectionsImplBase {
    @Override
    public void collectionExists(CollectionExistsRequest request, StreamObserver<CollectionExistsResponse> response) {
      requests.add(request);
      if (refuse(response)) {
        return;
      }
      response.onNext(CollectionExistsResponse.newBuilder().setResult(CollectionExists.newBuilder()
          .setExists(collections.containsKey(request.getCollectionName()))).build());
      response.onCompleted();
    }

    @Override
    public void create(CreateCollection request, StreamObserver<CollectionOperationResponse> response) {
      requests.add(request);
      if (refuse(response)) {
        return;
      }
      if (collections.putIfAbsent(request.getCollectionName(), new ConcurrentHashMap<>()) != null) {
        response.onError(Status.ALREADY_EXISTS.withDescription("exists").asRuntimeException());
        return;
      }
      dimensions.put(request.getCollectionName(), (int) request.getVectorsConfig().getParams().getSize());
      response.onNext(CollectionOperationResponse.newBuilder().setResult(true).build());
      response.onCompleted();
    }

    @Override
    public void list(ListCollectionsRequest request, StreamObserver<ListCollectionsResponse> response) {
      requests.add(request);
      if (refuse(response)) {
        return;
      }
      ListCollectionsResponse.Builder out = ListCollectionsResponse.newBuilder();
      collections.keySet().stream().sorted()
          .forEach(c -> out.addCollections(CollectionDescription.newBuilder().setName(c)));
      response.onNext(out.build());
      response.onCompleted();
    }
  }

  final class Points extends PointsGrpc.PointsImplBase {
    @Override
    public void upsert(UpsertPoints request, StreamObserver<PointsOperationResponse> response) {
      requests.add(request);
      if (refuse(response)) {
        return;
      }
      Map<PointId, Point> points = collections.get(request.getCollectionName());
      if (points == null) {
        response.onError(Status.NOT_FOUND.withDescription("no collection").asRuntimeException());
        return;
      }
      for (PointStruct p : request.getPointsList()) {
        var v = p.getVectors().getVector();
        List<Float> data = v.hasDense() ? v.getDense().getDataList() : v.getDataList();
        float[] vector = new float[data.size()];
        for (int i = 0; i < vector.length; i++) {
          vector[i] = data.get(i);
        }
        if (vector.length != dimensions.get(request.getCollectionName())) {
          response.onError(Status.INVALID_ARGUMENT.withDescription("wrong dimension").asRuntimeException());
          return;
        }
        points.put(p.getId(), new Point(p.getId(), vector, p.getPayloadMap()));
      }
      ok(response);
    }

    @Override
    public void search(SearchPoints request, StreamObserver<SearchResponse> response) {
      requests.add(request);
      if (refuse(response)) {
        return;
      }
      Map<PointId, Point> points = collections.get(request.getCollectionName());
      if (points == null) {
        response.onError(Status.NOT_FOUND.withDescription("no collection").asRuntimeException());
        return;
      }
      float[] query = new float[request.getVectorCount()];
      for (int i = 0; i < query.length; i++) {
        query[i] = request.getVector(i);
      }
      SearchResponse.Builder out = SearchResponse.newBuilder();
      points.values().stream()
          .filter(p -> matches(request.getFilter(), p))
          .map(p -> ScoredPoint.newBuilder().setId(p.id()).setScore(cosine(query, p.vector()))
              .putAllPayload(p.payload()).build())
          .sorted(Comparator.comparingDouble(ScoredPoint::getScore).reversed())
          .limit(request.getLimit())
          .forEach(out::addResult);
      response.onNext(out.build());
      response.onCompleted();
    }

    @Override
    public void delete(DeletePoints request, StreamObserver<PointsOperationResponse> response) {
      requests.add(request);
      if (refuse(response)) {
        return;
      }
      Map<PointId, Point> points = collections.getOrDefault(request.getCollectionName(), new ConcurrentHashMap<>());
      if (request.getPoints().hasFilter()) {
        points.values().removeIf(p -> matches(request.getPoints().getFilter(), p));
      } else {
        request.getPoints().getPoints().getIdsList().forEach(points::remove);
      }
      if (deleteHoldMs <= 0) {
        ok(response);
        return;
      }
      mostDeletesHeld.accumulateAndGet(deletesHeld.incrementAndGet(), Math::max);
      timer.schedule(() -> {
        deletesHeld.decrementAndGet();
        ok(response);
      }, deleteHoldMs, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void createFieldIndex(CreateFieldIndexCollection request, StreamObserver<PointsOperationResponse> response) {
      requests.add(request);
      if (refuse(response)) {
        return;
      }
      ok(response);
    }

    private void ok(StreamObserver<PointsOperationResponse> response) {
      response.onNext(PointsOperationResponse.newBuilder()
          .setResult(UpdateResult.newBuilder().setStatus(UpdateStatus.Completed)).build());
      response.onCompleted();
    }
  }

  final class Health extends QdrantGrpc.QdrantImplBase {
    @Override
    public void healthCheck(HealthCheckRequest request, StreamObserver<HealthCheckReply> response) {
      requests.add(request);
      if (refuse(response)) {
        return;
      }
      response.onNext(HealthCheckReply.newBuilder().setTitle("qdrant - fake").setVersion("1.18.0").build());
      response.onCompleted();
    }
  }

  static boolean matches(Filter filter, Point p) {
    for (Condition c : filter.getMustList()) {
      if (!holds(c, p)) {
        return false;
      }
    }
    for (Condition c : filter.getMustNotList()) {
      if (holds(c, p)) {
        return false;
      }
    }
    return filter.getShouldCount() == 0 || filter.getShouldList().stream().anyMatch(c -> holds(c, p));
  }

  private static boolean holds(Condition c, Point p) {
    if (c.hasHasId()) {
      return c.getHasId().getHasIdList().contains(p.id());
    }
    if (c.hasFilter()) {
      return matches(c.getFilter(), p);
    }
    if (c.hasField() && c.getField().getMatch().hasKeyword()) {
      Value value = p.payload().get(c.getField().getKey());
      return value != null && value.getStringValue().equals(c.getField().getMatch().getKeyword());
    }
    throw new UnsupportedOperationException("condition not supported by the fake: " + c);
  }

  private static float cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return (float) (dot / Math.sqrt(na * nb));
  }
}
