package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;

/**
 * Retrieval that knows when it knows (issue 16): the passage that answers ranks first among near-duplicates, a
 * question the documents do not answer finds nothing — in the retrieval preview ({@code nothing_found}) and in
 * the chat turn (the extractive provider gives the fallback text, a model is told) — and the extractive answer is
 * the sentences that answer, cited.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class AbstentionTest {

  static TestApp app;

  private static final String RETURNS = "# Returns\n\n## Return windows at a glance\n\nYou can return an unused tent "
      + "within 60 days of delivery. Rucksacks can be returned within 30 days. Stoves can be returned within 14 days."
      + "\n\n## How to send an item back\n\nPrint the label from your account and drop the parcel at any post office.";
  private static final String WARRANTY = "# Tent warranty\n\n## How long the tent warranty lasts\n\nEvery tent has a "
      + "five-year warranty against manufacturing defects in the fabric, poles and zips.\n\n## Making a claim\n\n"
      + "Send us photos of the fault on the tent and your order number, and we answer within three working days.";
  private static final String REPAIRS = "# Tent repairs\n\n## Repair prices\n\nA new tent pole section costs £18 and a "
      + "replacement door zip costs £45. Tents come back within two weeks.";

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("bot", new JsonObject().putNull("default_provider"));
  }

  private static Future<String> botWithDocuments(JsonObject extra) {
    return Knowledge.bot(app, extra).compose(bot -> {
      String id = bot.getString("id");
      return Knowledge.addText(app, id, "Returns", RETURNS)
          .compose(doc -> Knowledge.settled(app, id, doc.getString("id")))
          .compose(doc -> Knowledge.addText(app, id, "Tent warranty", WARRANTY))
          .compose(doc -> Knowledge.settled(app, id, doc.getString("id")))
          .compose(doc -> Knowledge.addText(app, id, "Tent repairs", REPAIRS))
          .compose(doc -> Knowledge.settled(app, id, doc.getString("id")))
          .map(id);
    });
  }

  /** The preview with the bot's own top_k and min_score. */
  private static Future<JsonObject> preview(String botId, String query) {
    return app.admin(HttpMethod.POST, "/api/bots/" + botId + "/search").sendJsonObject(new JsonObject().put("query", query))
        .map(response -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
          return response.bodyAsJsonObject();
        });
  }

  @Test
  void the_preview_ranks_the_answering_passage_first_and_finds_nothing_for_what_the_documents_do_not_answer(
      VertxTestContext test) {
    botWithDocuments(new JsonObject()).compose(id -> preview(id, "How long do I have to return a tent?")
        .compose(found -> {
          assertThat(found.getBoolean("nothing_found")).isFalse();
          JsonObject first = found.getJsonArray("results").getJsonObject(0);
          assertThat(first.getString("heading")).endsWith("Return windows at a glance");
          assertThat(first.getDouble("score")).isBetween(0.06, 1.0);
          assertThat(first.getDouble("similarity")).isBetween(-1.0, 1.0);
          return preview(id, "What is the airspeed of an unladen swallow?");
        })
        .map(found -> {
          assertThat(found.getJsonArray("results")).isEmpty();
          assertThat(found.getBoolean("nothing_found")).isTrue();
          return found;
        })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_bot_without_documents_does_not_abstain(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject()).compose(bot -> preview(bot.getString("id"), "Anything at all?"))
        .map(found -> {
          assertThat(found.getJsonArray("results")).isEmpty();
          assertThat(found.getBoolean("nothing_found")).isFalse();
          return found;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void the_extractive_answer_is_the_sentences_that_answer_cited_or_the_fallback_text(VertxTestContext test) {
    botWithDocuments(new JsonObject().put("fallback_text", "I do not know that one.")).compose(id ->
        app.chat(id, new JsonObject().put("message", "How long do I have to return a tent?"))
            .compose(response -> {
              String answer = response.bodyAsJsonObject().getString("response");
              assertThat(answer).contains("within 60 days").contains("(Source: Returns)")
                  .doesNotContain("five-year warranty").doesNotContain("post office");
              return app.chat(id, new JsonObject().put("message", "What is the airspeed of an unladen swallow?"));
            })
            .map(response -> {
              assertThat(response.bodyAsJsonObject().getString("response")).isEqualTo("I do not know that one.");
              assertThat(response.bodyAsJsonObject().getJsonArray("sources")).isEmpty();
              return response;
            })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_model_is_told_that_nothing_was_found(VertxTestContext test) {
    botWithDocuments(new JsonObject().put("provider", "openai").put("api_key", "sk-test-abstain-0123456789"))
        .compose(id -> app.chat(id, new JsonObject().put("message", "What is the airspeed of an unladen swallow?")))
        .map(response -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
          assertThat(response.bodyAsJsonObject().getJsonArray("sources")).isEmpty();
          JsonArray messages = app.openai.requests().get(app.openai.requests().size() - 1).getJsonArray("messages");
          String system = messages.getJsonObject(0).getString("content");
          assertThat(system).contains("has nothing about this message").doesNotContain("60 days");
          return response;
        }).onComplete(test.succeedingThenComplete());
  }
}
