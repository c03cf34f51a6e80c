package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.reliability.Turns;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A bot's {@code redact_pii} through the chat API: with {@code store}, what is stored and told in the turn event is
 * redacted while the model still sees the visitor's words; with {@code model}, the model sees the placeholders too,
 * in the message and in the history; with {@code off}, nothing changes. Bad values are refused.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class PiiRedactionApiTest {

  static TestApp app;

  /** An address that only the {@code store} test sends, so no other test's turn stores it. */
  private static final String STORE_ONLY = "Please mail the invoice to store.only@example.com or call +44 20 7946 0958";
  private static final String MESSAGE = "Please mail the invoice to jane.doe@example.com or call +44 20 7946 0958";

  private static Future<String> bot(String redact) {
    return app.createBot(new JsonObject().put("name", "Redaction " + redact).put("provider", "openai")
        .put("api_key", "sk-redaction-test-0123456789").put("rag", new JsonObject().put("enabled", false))
        .put("redact_pii", redact)).map(bot -> {
          assertThat(bot.getString("redact_pii")).isEqualTo(redact);
          return bot.getString("id");
        });
  }

  private static Future<JsonObject> turn(String botId, String session, String message) {
    return app.chat(botId, new JsonObject().put("message", message).put("session_id", session)).map(response -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      return response.bodyAsJsonObject();
    });
  }

  /** What the fake model was sent last, as one string. */
  private static String lastPrompt() {
    return app.openai.requests().get(app.openai.requests().size() - 1).getJsonArray("messages").encode();
  }

  @Test
  void store_redacts_what_is_stored_and_told_but_the_model_sees_the_message(VertxTestContext test) {
    String session = "redact-store-session";
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> consumer = app.vertx.eventBus().consumer(Addresses.EVENTS_TURN_COMPLETED,
        event -> events.add(event.body()));
    bot("store").compose(id -> consumer.completion().compose(v -> turn(id, session, STORE_ONLY)).compose(answer -> {
      assertThat(lastPrompt()).contains("store.only@example.com").contains("+44 20 7946 0958");
      // the fake echoes the message: the visitor gets the model's answer as it was
      assertThat(answer.getString("response")).contains("store.only@example.com");
      return Turns.log(app, id, session);
    }).map(log -> {
      String expected = "Please mail the invoice to [EMAIL] or call [PHONE]";
      assertThat(log.getJsonObject(0).getString("content")).isEqualTo(expected);
      assertThat(log.getJsonObject(1).getString("content")).isEqualTo("Echo: " + expected);
      JsonObject event = events.stream().filter(e -> id.equals(e.getString("bot_id"))).findFirst().orElseThrow();
      assertThat(event.getString("user")).isEqualTo(expected);
      assertThat(event.getString("assistant")).doesNotContain("store.only@example.com");
      return log;
    })).compose(log -> app.vertx.executeBlocking(app::storedText)).map(stored -> {
      assertThat(stored).doesNotContain("store.only@example.com");
      return stored;
    }).eventually(consumer::unregister).onComplete(test.succeedingThenComplete());
  }

  @Test
  void model_redacts_the_message_and_the_history_the_model_is_sent(VertxTestContext test) {
    String session = "redact-model-session";
    bot("model").compose(id -> turn(id, session, MESSAGE).compose(answer -> {
      assertThat(lastPrompt()).doesNotContain("jane.doe@example.com").contains("[EMAIL]").contains("[PHONE]");
      return turn(id, session, "my card is 4111 1111 1111 1111");
    }).map(answer -> {
      String prompt = lastPrompt();
      assertThat(prompt).contains("Please mail the invoice to [EMAIL] or call [PHONE]").contains("my card is [CARD]");
      assertThat(prompt).doesNotContain("4111").doesNotContain("jane.doe");
      return answer;
    }).compose(answer -> Turns.log(app, id, session)).map(log -> {
      assertThat(log.encode()).doesNotContain("jane.doe").doesNotContain("4111 1111");
      return log;
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void history_stored_before_model_redaction_was_on_is_redacted_on_its_way_to_the_model(VertxTestContext test) {
    String session = "redact-late-session";
    bot("off").compose(id -> turn(id, session, MESSAGE)
        .compose(r -> Turns.log(app, id, session))
        .compose(log -> {
          assertThat(log.getJsonObject(0).getString("content")).isEqualTo(MESSAGE);
          return app.admin(HttpMethod.PUT, "/api/bots/" + id).sendJsonObject(new JsonObject().put("redact_pii", "model"));
        })
        .compose(updated -> {
          assertThat(updated.statusCode()).isEqualTo(200);
          return app.storeBotSettings(id, settings -> settings); // waits until chat lookups see the new setting
        })
        .compose(v -> turn(id, session, "and again"))
        .map(r -> {
          assertThat(lastPrompt()).doesNotContain("jane.doe@example.com").contains("[EMAIL]");
          return r;
        }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void off_keeps_the_words_and_bad_settings_are_422(VertxTestContext test) {
    String session = "redact-off-session";
    bot("off").compose(id -> turn(id, session, MESSAGE).compose(r -> {
      assertThat(lastPrompt()).contains("jane.doe@example.com");
      return Turns.log(app, id, session);
    }).compose(log -> {
      assertThat(log.getJsonObject(0).getString("content")).isEqualTo(MESSAGE);
      return Future.all(
          app.admin(HttpMethod.PUT, "/api/bots/" + id).sendJsonObject(new JsonObject().put("redact_pii", "yes")),
          app.admin(HttpMethod.PUT, "/api/bots/" + id).sendJsonObject(new JsonObject().put("redact_pii", true)),
          app.admin(HttpMethod.GET, "/api/bots/" + id).send());
    }).map(all -> {
      for (int i = 0; i < 2; i++) {
        io.vertx.ext.web.client.HttpResponse<?> refused = all.resultAt(i);
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("redact_pii");
      }
      io.vertx.ext.web.client.HttpResponse<?> bot = all.resultAt(2);
      assertThat(bot.bodyAsJsonObject().getString("redact_pii")).isEqualTo("off");
      return all;
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_new_bot_redacts_nothing_by_default(VertxTestContext test) {
    app.createBot(new JsonObject().put("name", "Default redaction")).map(bot -> {
      assertThat(bot.getString("redact_pii")).isEqualTo("off");
      assertThat(bot.containsKey("retention_days")).isTrue();
      assertThat(bot.getValue("retention_days")).isNull();
      return new JsonArray();
    }).onComplete(test.succeedingThenComplete());
  }
}
