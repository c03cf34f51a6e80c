package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Extensions see every status change of a document on {@code parley.events.document.changed}. */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class DocumentEventsTest {

  static TestApp app;

  @Test
  void a_document_publishes_each_status_it_moves_through(Vertx vertx, VertxTestContext test) {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS_DOCUMENT_CHANGED, event -> events.add(event.body()));
    app.createBot(new JsonObject().put("name", "Evented"))
        .compose(bot -> app.admin(HttpMethod.POST, "/api/bots/" + bot.getString("id") + "/documents")
            .sendJsonObject(new JsonObject().put("name", "Hours").put("text", "We open at nine on weekdays."))
            .compose(added -> {
              assertThat(added.statusCode()).isEqualTo(202);
              String documentId = added.bodyAsJsonObject().getJsonArray("documents").getJsonObject(0).getString("id");
              return Await.until(vertx, () -> events.stream().anyMatch(e -> "ready".equals(e.getString("status"))))
                  .map(v -> {
                    assertThat(events).allMatch(e -> documentId.equals(e.getString("document_id"))
                        && bot.getString("id").equals(e.getString("bot_id")));
                    assertThat(events.stream().map(e -> e.getString("status"))).contains("processing", "ready");
                    assertThat(events.get(events.size() - 1).getString("status")).isEqualTo("ready");
                    return v;
                  });
            }))
        .onComplete(test.succeedingThenComplete());
  }
}
