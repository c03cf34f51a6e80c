package dev.parley.testing;

import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.ConversationClient;
import dev.parley.common.Fields;
import dev.parley.common.Timeouts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * An agent acting on a conversation through the bus ({@code parley.conversation.*}), for tests of the visitor side that
 * need the conversation's log without signing anyone in.
 */
public final class AgentOnBus {

  private final Vertx vertx;
  private final ConversationClient conversations;
  private final JsonObject actor;
  private final String nodeId = "test-inbox-" + java.util.UUID.randomUUID();

  public AgentOnBus(Vertx vertx, String name) {
    this.vertx = vertx;
    this.conversations = new ConversationClient(new Bus(vertx), Timeouts.from(null));
    this.actor = new JsonObject().put(Fields.USER_ID, "agent-" + name.toLowerCase()).put(Fields.NAME, name)
        .put(Fields.ROLE, "agent");
  }

  /** The visitor of {@code sessionId} asks for a person; completes with the conversation's id. */
  public Future<String> handoff(String botId, String sessionId) {
    return conversations.handoff(null, botId, sessionId, null, "visitor")
        .map(reply -> reply.getString(Fields.CONVERSATION_ID));
  }

  /** This agent writes {@code text} to the visitor (taking the conversation over if need be). */
  public Future<JsonObject> says(String botId, String conversationId, String text) {
    return conversations.message(null, botId, conversationId, actor, text, false);
  }

  /**
   * This agent has an inbox open, as another node announces it ({@code parley.inbox.presence}); returns once
   * {@code botId} is seen online (blocking: call it from the test's thread). Ended by {@link #away}.
   */
  public void online(String botId) {
    vertx.eventBus().publish(Addresses.INBOX_PRESENCE, new JsonObject().put("node_id", nodeId)
        .put("agents", new io.vertx.core.json.JsonArray().add(new JsonObject().put(Fields.ROLE, "agent")))
        .put("ttl_ms", 60_000));
    long until = System.currentTimeMillis() + 10_000;
    while (!Await.result(conversations.online(null, botId))) {
      if (System.currentTimeMillis() > until) {
        throw new AssertionError("the agent's presence was not heard");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** This agent's inbox closed. */
  public void away() {
    vertx.eventBus().publish(Addresses.INBOX_PRESENCE, new JsonObject().put("node_id", nodeId)
        .put("agents", new io.vertx.core.json.JsonArray()).put("ttl_ms", 60_000));
  }
}
