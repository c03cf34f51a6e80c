package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.testing.Await;
import dev.parley.testing.Knowledge;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A visitor's turn of a bot with retrieval on but nothing to search (no ready document, no stored answer) is answered
 * without asking the knowledge-base component once it found the bot empty ({@code common.LocalKnowledge}), and a
 * document made ready, a stored answer added or a document deleted shows in the very next turn.
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class TurnKnowledgeLookupTest {

  private static TestApp app;
  private final AtomicInteger searches = new AtomicInteger();
  private final Handler<DeliveryContext<Object>> counting = delivery -> {
    if (delivery.message().address().startsWith(Addresses.RAG_SEARCH)) {
      searches.incrementAndGet();
    }
    delivery.next();
  };

  @BeforeEach
  void count() {
    app.vertx.eventBus().addOutboundInterceptor(counting);
  }

  @AfterEach
  void stopCounting() {
    app.vertx.eventBus().removeOutboundInterceptor(counting);
  }

  private static String emptyBot() {
    return Await.result(Knowledge.bot(app, new JsonObject().put("provider", "openai")
        .put("api_key", "sk-test-knowledge-lookup-0123456789")
        .put("widget", new JsonObject().put("citations", "snippets")))).getString("id");
  }

  private static JsonObject chat(String botId, String message) {
    HttpResponse<Buffer> reply = Await.result(app.chat(botId, new JsonObject().put("message", message)));
    assertThat(reply.statusCode()).as(reply.bodyAsString()).isEqualTo(200);
    return reply.bodyAsJsonObject();
  }

  /** Turns until one is answered without a search (the first lends the bot's emptiness after its reply). */
  private int searchesOver(String botId, int turns) {
    int before = searches.get();
    for (int i = 0; i < turns; i++) {
      assertThat(chat(botId, "Hello, turn " + i).getJsonArray("sources")).isEmpty();
    }
    return searches.get() - before;
  }

  @Test
  void turns_of_a_bot_with_nothing_to_search_ask_nobody_and_a_ready_or_deleted_document_shows_in_the_next_turn() {
    String botId = emptyBot();
    app.openai.answerWith("From the model.");
    assertThat(searchesOver(botId, 6)).as("searches over six turns of a bot with nothing to search").isBetween(1, 2);

    JsonObject doc = Await.result(Knowledge.addText(app, botId, "Returns policy",
        "# Returns\n\nYou can return any item within 45 days for a full refund."));
    assertThat(Await.result(Knowledge.settled(app, botId, doc.getString("id"))).getString("status")).isEqualTo("ready");
    int before = searches.get();
    JsonObject reply = chat(botId, "How many days do I have to return an item?");
    assertThat(searches.get() - before).as("the turn after the document became ready searched").isEqualTo(1);
    assertThat(reply.getJsonArray("sources")).hasSize(1);
    assertThat(reply.getJsonArray("sources").getJsonObject(0).getString("snippet")).contains("45 days");
    assertThat(searchesOver(botId, 3)).as("a bot with a document is searched on every turn").isEqualTo(3);

    assertThat(Await.result(app.admin(HttpMethod.DELETE, "/api/bots/" + botId + "/documents/" + doc.getString("id"))
        .send()).statusCode()).isEqualTo(204);
    before = searches.get();
    assertThat(chat(botId, "How many days do I have to return an item?").getJsonArray("sources")).isEmpty();
    assertThat(searches.get() - before).as("the turn after the delete searched").isEqualTo(1);
    assertThat(searchesOver(botId, 4)).as("the emptied bot is lent again").isLessThanOrEqualTo(1);
  }

  @Test
  void a_stored_answer_added_to_a_bot_with_nothing_to_search_answers_the_next_turn() {
    String botId = emptyBot();
    app.openai.answerWith("From the model.");
    assertThat(searchesOver(botId, 4)).isBetween(1, 2);

    HttpResponse<Buffer> stored = Await.result(app.admin(HttpMethod.POST, "/api/bots/" + botId + "/answers")
        .sendJsonObject(new JsonObject().put("question", "What are your opening hours?")
            .put("answer", "Monday to Friday, 9 to 5.")));
    assertThat(stored.statusCode()).isEqualTo(201);
    JsonObject reply = chat(botId, "What are your opening hours?");
    assertThat(reply.getString("source")).isEqualTo("answer");
    assertThat(reply.getString("response")).isEqualTo("Monday to Friday, 9 to 5.");

    assertThat(Await.result(app.admin(HttpMethod.DELETE, "/api/bots/" + botId + "/answers/"
        + stored.bodyAsJsonObject().getString("id")).send()).statusCode()).isEqualTo(204);
    assertThat(chat(botId, "What are your opening hours?").getString("response")).isEqualTo("From the model.");
  }
}
