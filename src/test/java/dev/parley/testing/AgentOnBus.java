package dev.parley.testing;

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

  private final ConversationClient conversations;
  private final JsonObject actor;

  public AgentOnBus(Vertx vertx, String name) {
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
}
