package dev.parley.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.Fields;
import dev.parley.common.MemoryClient;
import dev.parley.common.ParleyException;
import dev.parley.common.Timeouts;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code parley.memory.append} when a caller sends a turn again (its memory node stored it and could not answer
 * in time), and when the caller has stopped waiting: a turn is never stored twice, and never after its deadline.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class TurnStorageTest {

  static TestApp app;

  @Test
  void a_turn_sent_again_with_its_ids_is_stored_once_and_answers_the_same_ids(Vertx vertx, VertxTestContext test) {
    bot(app).compose(botId -> {
      MemoryClient memory = memory(vertx);
      JsonObject turn = turn(botId, "session-again-01", "u-" + botId, "a-" + botId);
      return memory.append(RID, turn.copy()).compose(first -> memory.append(RID, turn.copy()).map(second -> {
        assertThat(second.getString(Fields.MESSAGE_ID)).isEqualTo(first.getString(Fields.MESSAGE_ID)).isEqualTo("a-" + botId);
        assertThat(second.getString("user_message_id")).isEqualTo(first.getString("user_message_id"));
        assertThat(second.getString(Fields.CONVERSATION_ID)).isEqualTo(first.getString(Fields.CONVERSATION_ID));
        return second;
      })).compose(v -> memory.messages(RID, botId, "session-again-01"))
          .compose(session -> {
            assertThat(session.getJsonArray(Fields.MESSAGES)).hasSize(2);
            return memory.history(RID, botId, "session-again-01", 20);
          })
          .compose(history -> {
            assertThat(history).as("the history the next turn sees").hasSize(2);
            return memory.conversations(RID, botId, 10, 0);
          })
          .map(conversations -> {
            JsonObject conversation = conversations.getJsonArray("conversations").getJsonObject(0);
            assertThat(conversation.getInteger("message_count")).isEqualTo(2);
            return null;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  /** Time-ordered ids fill the unique indexes of messages and conversations in order (a page or two per commit). */
  @Test
  void a_visitors_turn_stores_its_messages_and_conversation_under_time_ordered_ids(Vertx vertx, VertxTestContext test) {
    bot(app, new JsonObject().put("provider", "extractive")).compose(botId -> app.client.post("/api/chat/" + botId)
            .sendJsonObject(new JsonObject().put("message", "hello").put(Fields.SESSION_ID, "session-ordered-1"))
            .compose(answered -> {
              assertThat(answered.statusCode()).as(answered.bodyAsString()).isEqualTo(200);
              return memory(vertx).messages(RID, botId, "session-ordered-1");
            })
            .compose(session -> {
              JsonArray messages = session.getJsonArray(Fields.MESSAGES);
              assertThat(messages).hasSize(2);
              messages.forEach(message -> assertThat(java.util.UUID.fromString(((JsonObject) message)
                  .getString(Fields.ID)).version()).isEqualTo(7));
              return memory(vertx).conversations(RID, botId, 10, 0);
            })
            .map(conversations -> {
              String id = conversations.getJsonArray("conversations").getJsonObject(0).getString(Fields.ID);
              assertThat(java.util.UUID.fromString(id).version()).isEqualTo(7);
              return null;
            }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_turn_whose_sender_stopped_waiting_is_not_stored(Vertx vertx, VertxTestContext test) {
    bot(app).compose(botId -> {
      JsonObject late = turn(botId, "session-late-001", null, null).put(Fields.DEADLINE, System.currentTimeMillis() - 1);
      return new Bus(vertx).request("late", Addresses.MEMORY_APPEND, late, 5_000)
          .<JsonObject>transform(result -> {
            assertThat(result.failed()).isTrue();
            assertThat(((ParleyException) result.cause()).status()).isEqualTo(504);
            return memory(vertx).messages(RID, botId, "session-late-001");
          })
          .map(session -> {
            assertThat(session.getJsonArray(Fields.MESSAGES, new JsonArray())).isEmpty();
            return null;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  private static final String RID = "turn-storage";

  private static MemoryClient memory(Vertx vertx) {
    return new MemoryClient(new Bus(vertx), new Timeouts(5_000, 5_000, 5_000, 5_000, 0));
  }

  private static Future<String> bot(TestApp app) {
    return bot(app, new JsonObject());
  }

  private static Future<String> bot(TestApp app, JsonObject fields) {
    return app.client.post("/api/bots").putHeader("Authorization", "Bearer " + TestApp.ADMIN_TOKEN)
        .sendJsonObject(fields.copy().put("name", "storage")).map(created -> {
          assertThat(created.statusCode()).isEqualTo(201);
          return created.bodyAsJsonObject().getString("id");
        });
  }

  private static JsonObject turn(String botId, String sessionId, String userId, String answerId) {
    return new JsonObject().put(Fields.BOT_ID, botId).put(Fields.SESSION_ID, sessionId)
        .put(Fields.USER, new JsonObject().put(Fields.ID, userId).put(Fields.CONTENT, "hello"))
        .put(Fields.ASSISTANT, new JsonObject().put(Fields.ID, answerId).put(Fields.CONTENT, "hi there")
            .put(Fields.STATUS, "complete"));
  }
}
