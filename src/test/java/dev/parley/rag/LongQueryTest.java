package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.testing.Knowledge;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A question of any length a bot accepts finds its passages: more words than Lucene's 1,024 clauses,
 * more distinct words than the search keeps, and longer than the old 4,000-character cap of search.
 */
@ParleyTest
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class LongQueryTest {

  private static final String QUESTION = "How do I pair the sensor with the hub? ";
  private static final String PASSAGE = "Hold the reset button for ten seconds to pair the sensor with the hub.";

  static TestApp app;
  static String botId;

  @ParleyConfig
  static JsonObject config() {
    // key-less bots are extractive: their answer is made of the passages the search found
    return new JsonObject().put("bot", new JsonObject().putNull("default_provider"));
  }

  @BeforeAll
  static void botWithDocuments(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject().put("max_message_chars", 30_000)
        .put("rag", new JsonObject().put("enabled", true).put("min_score", 0.0))).compose(bot -> {
      botId = bot.getString("id");
      return Future.all(Knowledge.addText(app, botId, "Pairing", PASSAGE),
          Knowledge.addText(app, botId, "Billing", "Invoices are sent on the first day of each month by email."));
    }).compose(docs -> Future.all(Knowledge.settled(app, botId, ((JsonObject) docs.resultAt(0)).getString("id")),
        Knowledge.settled(app, botId, ((JsonObject) docs.resultAt(1)).getString("id"))))
        .onComplete(test.succeedingThenComplete());
  }

  /** The question, then a pasted list of numbers, to about {@code chars} characters: a word per two characters. */
  private static String withPastedNumbers(int chars) {
    StringBuilder text = new StringBuilder(QUESTION).append("Here is the list of readings: ");
    for (int i = 0; text.length() < chars; i++) {
      text.append(i % 10).append(' ');
    }
    return text.toString();
  }

  /** The question among {@code words} distinct made-up words. */
  private static String withManyDistinctWords(int words) {
    StringBuilder text = new StringBuilder("Context: ");
    for (int i = 0; i < words; i++) {
      text.append("zq").append(Integer.toString(i, 36)).append(' ');
    }
    return text.append(QUESTION).toString();
  }

  @Test
  void a_3800_character_question_with_more_words_than_lucene_clauses_finds_its_passage(VertxTestContext test) {
    String query = withPastedNumbers(3_800);
    assertThat(query.length()).isLessThan(4_000);
    Knowledge.search(app, botId, query).onComplete(test.succeeding(found -> test.verify(() -> {
      assertThat(found).isNotEmpty();
      assertThat(found.getJsonObject(0).getString("snippet")).contains("reset button");
      test.completeNow();
    })));
  }

  @Test
  void a_question_with_thousands_of_distinct_words_keeps_the_ones_the_index_knows(VertxTestContext test) {
    String query = withManyDistinctWords(3_000);
    app.admin(HttpMethod.POST, "/api/bots/" + botId + "/search")
        .sendJsonObject(new JsonObject().put("query", query).put("top_k", 1).put("mode", "bm25"))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
          JsonArray found = response.bodyAsJsonObject().getJsonArray("results");
          assertThat(found).hasSize(1);
          assertThat(found.getJsonObject(0).getString("document_name")).isEqualTo("Pairing");
          test.completeNow();
        })));
  }

  @Test
  void a_chat_question_longer_than_4000_characters_is_answered_from_the_knowledge_base(VertxTestContext test) {
    String message = withPastedNumbers(25_000);
    app.chat(botId, new JsonObject().put("message", message).put("session_id", "long-question-1"))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
          JsonObject body = response.bodyAsJsonObject();
          assertThat(body.getJsonArray("sources")).isNotEmpty();
          assertThat(body.getJsonArray("sources").getJsonObject(0).getString("document_name")).isEqualTo("Pairing");
          assertThat(body.getString("response")).contains("reset button");
          test.completeNow();
        })));
  }

  @Test
  void the_search_takes_the_longest_message_a_bot_accepts_and_refuses_a_longer_one_with_422(VertxTestContext test) {
    Bus bus = new Bus(app.vertx);
    JsonObject longest = new JsonObject().put(Fields.BOT_ID, botId).put(Fields.QUERY, withPastedNumbers(100_000)
        .substring(0, 100_000)).put(Fields.TOP_K, 1);
    JsonObject longer = longest.copy().put(Fields.QUERY, longest.getString(Fields.QUERY) + "x");
    bus.request(null, Addresses.RAG_SEARCH, longest, 30_000).compose(found -> {
      assertThat(found.getJsonArray(Fields.RESULTS).getJsonObject(0).getString("document_name")).isEqualTo("Pairing");
      return bus.request(null, Addresses.RAG_SEARCH, longer, 30_000).transform(Future::succeededFuture);
    }).onComplete(test.succeeding(refused -> test.verify(() -> {
      assertThat(refused.cause()).isInstanceOf(ParleyException.class);
      assertThat(((ParleyException) refused.cause()).status()).isEqualTo(422);
      assertThat(((ParleyException) refused.cause()).code()).isEqualTo("validation_failed");
      test.completeNow();
    })));
  }
}
