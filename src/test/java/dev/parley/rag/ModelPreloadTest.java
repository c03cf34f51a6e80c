package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.db.Database;
import dev.parley.testing.Await;
import dev.parley.testing.Knowledge;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code rag.preload_model}: when the in-process embedding model is loaded, and a node that deferred it still searches. */
@ParleyTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ModelPreloadTest {

  static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("rag", new JsonObject().put("preload_model", "auto"));
  }

  private final AtomicInteger asked = new AtomicInteger();

  private Future<Boolean> knowledge(boolean has) {
    asked.incrementAndGet();
    return Future.succeededFuture(has);
  }

  @Test
  void auto_loads_the_model_at_start_only_when_the_node_holds_knowledge() {
    assertThat(ModelPreload.from(null)).isEqualTo(ModelPreload.AUTO);
    assertThat(ModelPreload.from("auto").atStart(() -> knowledge(true)).result()).isTrue();
    assertThat(ModelPreload.from("auto").atStart(() -> knowledge(false)).result()).isFalse();
    assertThat(asked).hasValue(2);
  }

  @Test
  void true_loads_at_start_and_false_on_first_use_without_asking_about_knowledge() {
    assertThat(ModelPreload.from(true).atStart(() -> knowledge(false)).result()).isTrue();
    assertThat(ModelPreload.from("false").atStart(() -> knowledge(true)).result()).isFalse();
    assertThat(asked).hasValue(0);
  }

  @Test
  void another_value_is_refused_naming_the_key() {
    assertThatThrownBy(() -> ModelPreload.from("sometimes")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rag.preload_model");
  }

  @Test
  void a_node_without_knowledge_defers_the_model_and_its_first_document_is_still_embedded_and_found(Vertx vertx) {
    Database database = Await.result(Database.open(vertx, app.config.getJsonObject("database"),
        app.config.getString("data_dir")));
    try {
      DocumentStore store = new DocumentStore(database);
      assertThat(Await.result(store.hasKnowledge())).isFalse();

      String bot = Await.result(Knowledge.bot(app, new JsonObject())).getString("id");
      String document = Await.result(Knowledge.addText(app, bot, "hours.md",
          "# Opening hours\n\nOur shop is open 9am to 6pm on weekdays and 10am to 4pm on Saturdays.")).getString("id");
      assertThat(Await.result(store.hasKnowledge())).isTrue();

      assertThat(Await.result(Knowledge.settled(app, bot, document), 90).getString("status")).isEqualTo("ready");
      JsonArray found = Await.result(Knowledge.search(app, bot, "When are you open on Saturday?"));
      assertThat(found).isNotEmpty();
      assertThat(found.getJsonObject(0).getString("text")).contains("Saturdays");
    } finally {
      Await.result(database.close());
    }
  }
}
