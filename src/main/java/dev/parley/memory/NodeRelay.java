package dev.parley.memory;

import dev.parley.common.Addresses;
import dev.parley.common.Fields;
import dev.parley.db.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries conversation news between Parley nodes that share a PostgreSQL database but not an event bus (two nodes
 * behind a load balancer, no cluster). The node that made a change publishes it on its bus as usual and also sends
 * it with {@code NOTIFY parley_conversation}; every other node (one relay per Vert.x) publishes what it hears on its
 * own bus, locally. A session event travels as its id and is read back from {@code conversation_events} (NOTIFY
 * payloads are small); an inbox change travels whole (it holds no text), and so do the inbox channels' presence
 * announcements ({@code parley.inbox.presence}, {@code .ask}). In a cluster on PostgreSQL a change can thus
 * arrive twice: the inbox channels drop repeats by {@code change_id}, the visitor's channel by event id.
 * Nothing on SQLite (one node owns the file).
 */
final class NodeRelay {

  static final String CHANNEL = "parley_conversation";
  private static final Logger LOG = LoggerFactory.getLogger(NodeRelay.class);
  private static final String NODE_KEY = "node_id";

  /** Addresses whose publications (inbox presence) are passed on whole; what arrives that way is not sent back. */
  private static final java.util.List<String> RELAYED = java.util.List.of(Addresses.INBOX_PRESENCE, Addresses.INBOX_PRESENCE_ASK);
  private static final String RELAYED_HEADER = "parley-relayed";

  private final Vertx vertx;
  private final Database database;
  private final String node;
  private PgSubscriber subscriber;

  NodeRelay(Vertx vertx, Database database) {
    this.vertx = vertx;
    this.database = database;
    this.node = (String) vertx.sharedData().getLocalMap("parley.node").computeIfAbsent(NODE_KEY,
        key -> dev.parley.common.Ids.uuid());
  }

  boolean active() {
    return database.connectOptions() != null;
  }

  /** Listens, when this is the first relay of its Vert.x on PostgreSQL. */
  Future<Void> start() {
    if (!active() || vertx.sharedData().getLocalMap("parley.node").putIfAbsent("relay", node) != null) {
      return Future.succeededFuture();
    }
    for (String address : RELAYED) {
      vertx.eventBus().<JsonObject>localConsumer(address, message -> {
        if (message.headers().get(RELAYED_HEADER) == null) {
          send(new JsonObject().put("kind", "bus").put("address", address).put("body", message.body()));
        }
      });
    }
    subscriber = PgSubscriber.subscriber(vertx, database.connectOptions()).reconnectPolicy(retries -> 1_000L);
    subscriber.channel(CHANNEL).handler(this::heard);
    // the subscriber reconnects on its own: a database that is down at start does not stop the memory component
    return subscriber.connect().recover(failure -> {
      LOG.warn("Conversation news from other nodes cannot be heard yet: {}", failure.getMessage());
      return Future.succeededFuture();
    });
  }

  Future<Void> stop() {
    if (subscriber == null) {
      return Future.succeededFuture();
    }
    vertx.sharedData().getLocalMap("parley.node").remove("relay");
    return subscriber.close();
  }

  /** Sends a change to the other nodes: {@code {kind: inbox, body}} or {@code {kind: session, bot_id, session_id, id}}. */
  void send(JsonObject news) {
    if (!active()) {
      return;
    }
    String payload = news.copy().put(NODE_KEY, node).encode();
    database.pool().preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(CHANNEL, payload))
        .onFailure(failure -> LOG.warn("Could not tell the other nodes about a conversation change: {}", failure.getMessage()));
  }

  private void heard(String payload) {
    JsonObject news;
    try {
      news = new JsonObject(payload);
    } catch (RuntimeException notJson) {
      return;
    }
    if (node.equals(news.getString(NODE_KEY))) {
      return;
    }
    DeliveryOptions local = new DeliveryOptions().setLocalOnly(true).addHeader(RELAYED_HEADER, "1");
    if ("bus".equals(news.getString("kind")) && RELAYED.contains(news.getString("address"))) {
      vertx.eventBus().publish(news.getString("address"), news.getJsonObject("body"), local);
    } else if ("inbox".equals(news.getString("kind"))) {
      vertx.eventBus().publish(Addresses.INBOX_CHANGES, news.getJsonObject("body"), local);
    } else if ("session".equals(news.getString("kind"))) {
      String botId = news.getString(Fields.BOT_ID);
      String sessionId = news.getString(Fields.SESSION_ID);
      database.pool().preparedQuery("SELECT id, type, data FROM conversation_events WHERE id = $1")
          .execute(Tuple.of(news.getLong(Fields.ID))).onSuccess(rows -> {
            if (rows.size() > 0) {
              var row = rows.iterator().next();
              vertx.eventBus().publish(ConversationNews.sessionAddress(botId, sessionId), new JsonObject()
                  .put(Fields.ID, row.getLong(Fields.ID)).put(Fields.TYPE, row.getString(Fields.TYPE))
                  .put(Fields.DATA, new JsonObject(row.getString(Fields.DATA))), local);
            }
          });
    }
  }
}
