package dev.parley.cluster;

import dev.parley.db.PostgresUrl;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.ConnectException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Visitors chatting steadily with a cluster's HTTP nodes, for the multi-JVM tests. Each visitor sends turns
 * back to back, each with a message of its own ({@code turn <visitor>-<n>}), to the nodes in turn. Like a load
 * balancer, it skips a node whose {@code /health/ready} answered anything but 200 at its last probe (every
 * 100 ms), and tries the next node when one refuses the connection (nothing was sent). Any other outcome than
 * 200 is a failure, kept with the node and the time it happened.
 */
final class SteadyLoad {

  /**
   * A turn that did not end in 200: which node, when (epoch ms), and what came back; {@code ready} the nodes
   * that were ready at their last probe when it was sent.
   */
  record Failure(String node, long at, String message, String outcome, List<String> ready) {
  }

  private final Vertx vertx;
  private final Map<String, WebClient> nodes;
  private final String path;
  private final long timeoutMs;
  private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
  private final Map<String, Long> acknowledgedAt = new ConcurrentHashMap<>();
  private final List<Failure> failures = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final List<Future<Void>> visitors = new ArrayList<>();
  private final Set<String> unready = ConcurrentHashMap.newKeySet();
  private long probes;
  private boolean retry;

  /** {@code nodes} by name; {@code path} is the bot's chat path; each turn waits at most {@code timeoutMs}. */
  SteadyLoad(Vertx vertx, Map<String, WebClient> nodes, String path, long timeoutMs) {
    this.vertx = vertx;
    this.nodes = nodes;
    this.path = path;
    this.timeoutMs = timeoutMs;
  }

  /** Visitors send a message that failed again (after 500 ms) until it is answered, as a visitor would. */
  SteadyLoad retrying() {
    retry = true;
    return this;
  }

  SteadyLoad start(int count) {
    probes = vertx.setPeriodic(100, t -> nodes.forEach((name, client) -> client.get("/health/ready").timeout(1_000)
        .send().onComplete(probe -> {
          if (probe.succeeded() && probe.result().statusCode() == 200) {
            unready.remove(name);
          } else {
            unready.add(name);
          }
        })));
    for (int i = 0; i < count; i++) {
      Promise<Void> done = Promise.promise();
      visitors.add(done.future());
      next("v" + i, i, 0, done);
    }
    return this;
  }

  /** Lets each visitor finish the turn it is on, then completes. */
  Future<Void> stop() {
    stopping.set(true);
    vertx.cancelTimer(probes);
    return Future.join(visitors).mapEmpty();
  }

  /** Message text → message id of every turn a visitor saw answered. */
  Map<String, String> acknowledged() {
    return acknowledged;
  }

  /** Turns answered at or after {@code since} (epoch ms). */
  long acknowledgedSince(long since) {
    return acknowledgedBetween(since, Long.MAX_VALUE);
  }

  /** Turns answered from {@code since} to before {@code until} (epoch ms). */
  long acknowledgedBetween(long since, long until) {
    return acknowledgedAt.values().stream().filter(at -> at >= since && at < until).count();
  }

  List<Failure> failures() {
    return failures;
  }

  private void next(String visitor, int turn, int nodeIndex, Promise<Void> done) {
    if (stopping.get()) {
      done.complete();
      return;
    }
    String message = "turn " + visitor + "-" + turn;
    send(visitor, message, nodeIndex, 0, () -> vertx.setTimer(5, t -> next(visitor, turn + 1, nodeIndex + 1, done)));
  }

  private void send(String visitor, String message, int nodeIndex, int refused, Runnable then) {
    List<String> ready = nodes.keySet().stream().filter(name -> !unready.contains(name)).toList();
    List<String> names = ready.isEmpty() ? new ArrayList<>(nodes.keySet()) : ready;
    String node = names.get(Math.floorMod(nodeIndex, names.size()));
    nodes.get(node).post(path).timeout(timeoutMs)
        .sendJsonObject(new JsonObject().put("message", message).put("session_id", "session-" + visitor))
        .onComplete(result -> {
          if (result.succeeded() && result.result().statusCode() == 200) {
            acknowledged.put(message, result.result().bodyAsJsonObject().getString("message_id"));
            acknowledgedAt.put(message, System.currentTimeMillis());
          } else if (result.failed() && result.cause() instanceof ConnectException && refused < names.size()) {
            // nothing reached the node: a load balancer would try the next one
            vertx.setTimer(refused == names.size() - 1 ? 200 : 1,
                t -> send(visitor, message, nodeIndex + 1, refused + 1, then));
            return;
          } else {
            failures.add(new Failure(node, System.currentTimeMillis(), message, result.succeeded()
                ? result.result().statusCode() + " " + result.result().bodyAsString()
                : result.cause().toString(), ready));
            if (retry && !stopping.get()) {
              vertx.setTimer(500, t -> send(visitor, message, nodeIndex + 1, 0, then));
              return;
            }
          }
          then.run();
        });
  }

  /** What the database holds: user message text → how many times it is stored, and the answered turns' ids. */
  record Stored(Map<String, Integer> userMessages, Map<String, Integer> answeredMessages, Set<String> answerIds) {

    /**
     * Each user message with the message stored right after it in its conversation: its answer, if that is an
     * assistant message (a failed turn stores the user message alone).
     */
    private static final String TURNS = "SELECT u.content, n.id, n.role, n.status FROM messages u LEFT JOIN LATERAL ("
        + "SELECT id, role, status FROM messages n WHERE n.conversation_id = u.conversation_id AND n.seq > u.seq "
        + "ORDER BY n.seq LIMIT 1) n ON true WHERE u.role = 'user'";

    static Stored in(String postgresUrl) throws Exception {
      Map<String, Integer> users = new HashMap<>();
      Map<String, Integer> answered = new HashMap<>();
      Set<String> answers = new HashSet<>();
      try (Connection connection = PostgresUrl.parse(postgresUrl).dataSource().getConnection();
           ResultSet rows = connection.createStatement().executeQuery(TURNS)) {
        while (rows.next()) {
          users.merge(rows.getString(1), 1, Integer::sum);
          if ("assistant".equals(rows.getString(3))) {
            answers.add(rows.getString(2));
            if ("complete".equals(rows.getString(4))) {
              answered.merge(rows.getString(1), 1, Integer::sum);
            }
          }
        }
      }
      return new Stored(users, answered, answers);
    }

    /** Messages answered more than once. */
    Map<String, Integer> answeredTwice() {
      Map<String, Integer> twice = new HashMap<>();
      answeredMessages.forEach((text, count) -> {
        if (count > 1) {
          twice.put(text, count);
        }
      });
      return twice;
    }

    /** Messages stored more than once. */
    Map<String, Integer> duplicates() {
      Map<String, Integer> twice = new HashMap<>();
      userMessages.forEach((text, count) -> {
        if (count > 1) {
          twice.put(text, count);
        }
      });
      return twice;
    }
  }
}
