package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.reliability.Turns;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.SseEvents;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A bot's {@code widget.citations} holds in every public response, not only in the chat page: with
 * {@code none} a script gets no document names, headings or snippets from the JSON answer, the stream
 * or the session view; with {@code titles} only each document's name and URL. The admin logs keep the
 * whole sources, and the model's prompt and the extractive answer follow the mode.
 */
@ParleyTest
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class CitationModesTest {

  static final String DOCUMENT = "Returns policy";
  static final String HEADING = "Return window";
  static final String FACT = "any item within 45 days for a full refund";
  static final String QUESTION = "How many days do I have to return an item?";

  static TestApp app;
  static String modelBot;
  static String extractiveBot;

  @BeforeAll
  static void botsWithTheirDocument(Vertx vertx, VertxTestContext test) {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS_DOCUMENT_CHANGED, event -> events.add(event.body()));
    JsonObject rag = new JsonObject().put("enabled", true).put("top_k", 2).put("min_score", 0);
    Future.all(
        app.createBot(new JsonObject().put("name", "Cited").put("provider", "openai")
            .put("api_key", "sk-citations-0123456789").put("rag", rag)),
        app.createBot(new JsonObject().put("name", "Cited offline").put("provider", "extractive").put("rag", rag))
    ).compose(bots -> {
      modelBot = ((JsonObject) bots.resultAt(0)).getString("id");
      extractiveBot = ((JsonObject) bots.resultAt(1)).getString("id");
      return Future.all(addDocument(modelBot), addDocument(extractiveBot));
    }).compose(added -> Await.until(vertx, () -> events.stream()
        .filter(e -> "ready".equals(e.getString("status"))).count() == 2, 90_000))
        .onComplete(test.succeedingThenComplete());
  }

  private static Future<Void> addDocument(String botId) {
    return app.admin(HttpMethod.POST, "/api/bots/" + botId + "/documents")
        .sendJsonObject(new JsonObject().put("name", DOCUMENT).put("text", "# " + HEADING + "\n\nYou can return " + FACT + "."))
        .map(response -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
          return null;
        });
  }

  private static Future<Void> citations(String botId, String mode) {
    return app.admin(HttpMethod.PUT, "/api/bots/" + botId)
        .sendJsonObject(new JsonObject().put("widget", new JsonObject().put("citations", mode))).map(response -> {
          assertThat(response.statusCode()).isEqualTo(200);
          return null;
        });
  }

  /** One JSON turn, one streamed turn and the session view, all in one session, as a script would see them. */
  private static Future<Seen> ask(String botId, String session) {
    JsonObject body = new JsonObject().put("message", QUESTION).put("session_id", session);
    return app.chat(botId, body).compose(json -> {
      assertThat(json.statusCode()).as(json.bodyAsString()).isEqualTo(200);
      return app.client.post("/api/chat/" + botId).putHeader("Accept", "text/event-stream").sendJsonObject(body)
          .compose(stream -> app.client.get("/api/chat/" + botId + "/session/" + session).send()
              .map(view -> new Seen(json.bodyAsJsonObject(), stream.bodyAsString(), view.bodyAsJsonObject())));
    });
  }

  record Seen(JsonObject json, String sse, JsonObject session) {

    SseEvents events() {
      return SseEvents.parse(sse);
    }

    JsonObject event(String name) {
      int i = events().names().indexOf(name);
      return i < 0 ? null : events().data().get(i);
    }

    /** The sources of every answer in the session view. */
    List<JsonArray> stored() {
      return session.getJsonArray("messages").stream().map(JsonObject.class::cast)
          .filter(m -> "assistant".equals(m.getString("role"))).map(m -> m.getJsonArray("sources")).toList();
    }

    String everything() {
      return json.encode() + sse + session.encode();
    }
  }

  @Test
  void none_sends_no_sources_in_the_answer_the_stream_or_the_session(VertxTestContext test) {
    String session = "citations-none";
    citations(modelBot, "none").compose(v -> ask(modelBot, session)).compose(seen -> {
      assertThat(seen.json().getJsonArray("sources")).isEmpty();
      assertThat(seen.events().names()).doesNotContain("sources").endsWith("done");
      assertThat(seen.event("done").getJsonArray("sources")).isEmpty();
      assertThat(seen.stored()).hasSize(2).allSatisfy(sources -> assertThat(sources).isEmpty());
      assertThat(seen.everything()).doesNotContain(DOCUMENT, HEADING, FACT);
      String system = app.openai.requests().get(app.openai.requests().size() - 1)
          .getJsonArray("messages").getJsonObject(0).getString("content");
      assertThat(system).contains(FACT).contains("Do not name the documents").doesNotContain("Mention the document");
      return Turns.log(app, modelBot, session);
    }).map(log -> {
      // the operator's logs keep the whole sources
      JsonObject source = log.getJsonObject(1).getJsonArray("sources").getJsonObject(0);
      assertThat(source.getString("document_name")).isEqualTo(DOCUMENT);
      assertThat(source.getString("heading")).isEqualTo(HEADING);
      assertThat(source.getString("snippet")).contains(FACT);
      return log;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void titles_send_each_documents_name_and_url_only(VertxTestContext test) {
    citations(modelBot, "titles").compose(v -> ask(modelBot, "citations-titles")).map(seen -> {
      List<JsonArray> all = List.of(seen.json().getJsonArray("sources"), seen.event("sources").getJsonArray("sources"),
          seen.event("done").getJsonArray("sources"), seen.stored().get(0), seen.stored().get(1));
      for (JsonArray sources : all) {
        assertThat(sources).hasSize(1);
        JsonObject source = sources.getJsonObject(0);
        assertThat(source.fieldNames()).isEqualTo(Set.of("document_name", "url"));
        assertThat(source.getString("document_name")).isEqualTo(DOCUMENT);
      }
      assertThat(seen.everything()).doesNotContain(HEADING, FACT, "document_id", "score");
      return seen;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void snippets_send_headings_snippets_and_scores(VertxTestContext test) {
    citations(modelBot, "snippets").compose(v -> ask(modelBot, "citations-snippets")).map(seen -> {
      for (JsonArray sources : List.of(seen.json().getJsonArray("sources"), seen.event("sources").getJsonArray("sources"),
          seen.stored().get(1))) {
        JsonObject source = sources.getJsonObject(0);
        assertThat(source.getString("document_name")).isEqualTo(DOCUMENT);
        assertThat(source.getString("heading")).isEqualTo(HEADING);
        assertThat(source.getString("snippet")).contains(FACT);
        assertThat(source.getDouble("score")).isNotNull();
        assertThat(source.getString("document_id")).isNotBlank();
      }
      return seen;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void extractive_answers_name_no_more_than_the_mode_shows(VertxTestContext test) {
    JsonObject body = new JsonObject().put("message", QUESTION);
    citations(extractiveBot, "none").compose(v -> app.chat(extractiveBot, body)).compose(none -> {
      String answer = none.bodyAsJsonObject().getString("response");
      assertThat(answer).contains(FACT).doesNotContain(DOCUMENT, HEADING, "Source");
      return citations(extractiveBot, "titles").compose(v -> app.chat(extractiveBot, body));
    }).compose(titles -> {
      String answer = titles.bodyAsJsonObject().getString("response");
      assertThat(answer).contains(FACT).contains("(Source: " + DOCUMENT + ")").doesNotContain(HEADING);
      return citations(extractiveBot, "snippets").compose(v -> app.chat(extractiveBot, body));
    }).map(snippets -> {
      assertThat(snippets.bodyAsJsonObject().getString("response")).contains("(Source: " + DOCUMENT + " › " + HEADING + ")");
      return snippets;
    }).onComplete(test.succeedingThenComplete());
  }
}
