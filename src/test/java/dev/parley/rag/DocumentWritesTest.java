package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.db.Database;
import dev.parley.testing.Knowledge;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import java.net.URI;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The documents read together store their chunks in one write, and the documents an index commit released are
 * marked ready together in one write ({@link DocumentWrites}); a ready write that fails leaves every document it held
 * to be ingested again, with a reason to show.
 */
@ParleyTest
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class DocumentWritesTest {

  static TestApp app;

  private Database database;
  private DocumentStore store;
  private Context context;
  private DocumentWrites writes;
  private String bot;

  /** The app's database, opened again (its pool is shared by name), its store, and a new bot. */
  @BeforeEach
  void open() {
    database = Database.open(app.vertx, app.config.getJsonObject("database"), app.config.getString("data_dir"))
        .await();
    store = new DocumentStore(database);
    context = app.vertx.getOrCreateContext();
    writes = new DocumentWrites(context, store);
    bot = Knowledge.bot(app, new JsonObject()).await().getString("id");
  }

  @AfterEach
  void close() throws Exception {
    refuseReady(false);
    database.close().await();
  }

  @Test
  void documents_written_together_share_one_write_for_their_chunks_and_one_for_their_ready_mark() throws Exception {
    List<String> ids = List.of(added(store, bot), added(store, bot), added(store, bot));
    int[] chunks = {3, 1, 2};

    together(context, List.of(() -> writes.saveChunks(ids.get(0), bot, extracted(), passages(3)),
        () -> writes.saveChunks(ids.get(1), bot, extracted(), passages(1)),
        () -> writes.saveChunks(ids.get(2), bot, extracted(), passages(2))));
    for (int i = 0; i < ids.size(); i++) {
      JsonObject doc = store.find(ids.get(i)).await();
      assertThat(doc.getString("status")).as("processing from its chunks' write").isEqualTo("processing");
      assertThat(doc.getInteger("chunks_total")).isEqualTo(chunks[i]);
      assertThat(store.chunks(ids.get(i)).await()).hasSize(chunks[i]);
    }

    together(context, List.of(() -> writes.ready(new DocumentStore.Ready(ids.get(0), "model-a", true)),
        () -> writes.ready(new DocumentStore.Ready(ids.get(1), "model-a", false)),
        () -> writes.ready(new DocumentStore.Ready(ids.get(2), "model-a", true))));
    assertThat(writes.readyWrites()).as("one write for the three").isEqualTo(1);
    for (int i = 0; i < ids.size(); i++) {
      JsonObject doc = store.find(ids.get(i)).await();
      assertThat(doc.getString("status")).isEqualTo("ready");
      assertThat(doc.getInteger("chunks_done")).isEqualTo(chunks[i]);
      assertThat(doc.getString("embedding_model")).isEqualTo("model-a");
      boolean synced = i != 1;
      assertThat(doc.getLong("synced_at") != null).as("its source read now").isEqualTo(synced);
    }
  }

  @Test
  void a_failed_ready_write_fails_each_document_it_held_with_a_reason_and_leaves_them_processing() throws Exception {
    List<String> ids = List.of(added(store, bot), added(store, bot));
    for (String id : ids) {
      writes.saveChunks(id, bot, extracted(), passages(1)).await();
    }
    refuseReady(true);

    List<Future<Void>> asked = new ArrayList<>();
    for (String id : ids) {
      asked.add(writes.ready(new DocumentStore.Ready(id, "m", false)));
    }
    Future.join(new ArrayList<>(asked)).transform(done -> Future.succeededFuture()).await(30, TimeUnit.SECONDS);

    for (Future<Void> one : asked) {
      assertThat(one.failed()).isTrue();
      assertThat(one.cause()).isInstanceOf(IngestionFailure.class).hasMessageContaining("could not be marked ready");
    }
    JsonArray unfinished = store.unfinished().await();
    assertThat(unfinished.stream().map(d -> ((JsonObject) d).getString("id")))
        .as("still processing: the next start ingests them again").containsAll(ids);
  }

  @Test
  void a_document_whose_ready_write_fails_is_failed_with_the_reason_and_a_retry_makes_it_ready() throws Exception {
    refuseReady(true);
    String id = Knowledge.addText(app, bot, "hours.md", "# Hours\n\nThe shop opens at ten on Saturdays.").await()
        .getString("id");
    JsonObject failed = Knowledge.settled(app, bot, id).await(60, TimeUnit.SECONDS);
    assertThat(failed.getString("status")).as(failed.encode()).isEqualTo("failed");
    assertThat(failed.getString("error")).contains("could not be marked ready");
    assertThat(Knowledge.search(app, bot, "when does the shop open on Saturdays").await()).isEmpty();

    refuseReady(false);
    assertThat(app.admin(HttpMethod.POST, "/api/bots/" + bot + "/documents/" + id + "/retry").send().await()
        .statusCode()).isEqualTo(202);
    JsonObject ready = Knowledge.settled(app, bot, id).await(60, TimeUnit.SECONDS);
    assertThat(ready.getString("status")).as(ready.encode()).isEqualTo("ready");
    assertThat(ready.getInteger("chunks_done")).isEqualTo(1);
    assertThat(Knowledge.search(app, bot, "when does the shop open on Saturdays").await()).as("each chunk once")
        .hasSize(1);
  }

  /** A new URL document of the bot, pending. */
  private static String added(DocumentStore store, String bot) {
    String id = "doc_" + UUID.randomUUID().toString().replace("-", "");
    store.insertRoom(new Quotas(0, 0), bot, List.of(DocumentRows.url(id, bot, System.currentTimeMillis(), URI.create("https://example.com/" + id),
        null, null))).await();
    return id;
  }

  private static Map<String, Object> extracted() {
    Map<String, Object> extracted = new HashMap<>();
    extracted.put("name", "page");
    extracted.put("mime", "text/html");
    extracted.put("size_bytes", 100L);
    extracted.put("content_hash", "hash");
    return extracted;
  }

  private static List<Chunker.Chunk> passages(int count) {
    List<Chunker.Chunk> passages = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      passages.add(new Chunker.Chunk(i, "", "Passage " + i));
    }
    return passages;
  }

  /** Asks for every write on the context in one tick, as documents released together do; waits for them all. */
  private static void together(Context context, List<Supplier<Future<Void>>> writes) throws Exception {
    Promise<List<Future<Void>>> asked = Promise.promise();
    context.runOnContext(v -> asked.complete(writes.stream().map(Supplier::get).toList()));
    Future.all(asked.future().await()).await(30, TimeUnit.SECONDS);
  }

  /** Installs (or drops) a trigger that makes every write marking a document ready fail. */
  private static void refuseReady(boolean refuse) throws Exception {
    String url = app.config.getJsonObject("database").getString("url");
    try (Connection db = app.jdbc(); Statement statement = db.createStatement()) {
      if (url != null && !url.isBlank()) {
        statement.execute("DROP TRIGGER IF EXISTS refuse_ready ON documents");
        if (refuse) {
          statement.execute("CREATE OR REPLACE FUNCTION refuse_ready() RETURNS trigger AS $$ BEGIN "
              + "RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql");
          statement.execute("CREATE TRIGGER refuse_ready BEFORE UPDATE ON documents FOR EACH ROW "
              + "WHEN (NEW.status = 'ready') EXECUTE FUNCTION refuse_ready()");
        }
      } else {
        statement.execute("DROP TRIGGER IF EXISTS refuse_ready");
        if (refuse) {
          statement.execute("CREATE TRIGGER refuse_ready BEFORE UPDATE ON documents WHEN NEW.status = 'ready' "
              + "BEGIN SELECT RAISE(ABORT, 'refused'); END");
        }
      }
    }
  }
}
