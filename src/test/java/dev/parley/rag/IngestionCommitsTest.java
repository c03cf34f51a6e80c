package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Knowledge;
import dev.parley.testing.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingested documents share the embedded index's commits (rag.commit_interval_ms): a document is ready only after
 * the commit that holds its chunks, and a crash or a stop before that commit leaves it processing, so the next
 * start ingests it again, with each chunk in the index once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IngestionCommitsTest {

  private static final String FIRST = "# Opening hours\n\nThe shop opens at 10am on Saturdays and is closed on Sundays.";
  private static final String WAITING = "# Zebras\n\nThe zebra enclosure is next to the north gate.\n\n"
      + "## Feeding\n\nZebras are fed hay at noon by the keepers, and visitors may watch from the bridge.";

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** Parley whose index commits at most once a minute after its first commit: the second document waits. */
  private TestApp start(Path data) throws Exception {
    return TestApp.start(vertx, data, new JsonObject()
        .put("bot", new JsonObject().putNull("default_provider"))
        .put("rag", new JsonObject().put("commit_interval_ms", 60_000))).await(60, TimeUnit.SECONDS);
  }

  @Test
  void a_document_is_ready_only_after_its_commit_and_a_crash_or_stop_before_it_ingests_it_again_once()
      throws Exception {
    Path data = dir.resolve("data");
    TestApp app = start(data);
    String bot = Knowledge.bot(app, new JsonObject()).await().getString("id");
    String first = Knowledge.addText(app, bot, "hours.md", FIRST).await().getString("id");
    assertThat(Knowledge.settled(app, bot, first).await().getString("status")).isEqualTo("ready");

    String waiting = Knowledge.addText(app, bot, "zebras.md", WAITING).await().getString("id");
    KnowledgeIndex index = KnowledgeIndex.open(data.resolve("index"));
    try {
      for (int i = 0; i < 600 && !index.uncommitted(); i++) {
        Thread.sleep(50);
      }
      assertThat(index.uncommitted()).as("the second document's chunks are written").isTrue();
    } finally {
      index.release();
    }
    JsonObject doc = document(app, bot, waiting);
    assertThat(doc.getString("status")).as("not ready before its commit").isEqualTo("processing");
    assertThat(doc.getInteger("chunks_total")).isEqualTo(2);
    assertThat(names(Knowledge.search(app, bot, "zebra enclosure feeding").await()))
        .as("not searched before its commit").doesNotContain("zebras.md");

    // a crash now leaves what was committed: the SQLite rows and the index's last commit point
    Path crashed = dir.resolve("crashed");
    copyCommitted(app, data, crashed);
    app.stop().await();

    TestApp afterCrash = start(crashed);
    try {
      assertReadyOnce(afterCrash, crashed, bot, first, waiting);
    } finally {
      afterCrash.stop().await();
    }
    // a stop instead: closing the index committed the chunks, the document was still processing
    TestApp afterStop = start(data);
    try {
      assertReadyOnce(afterStop, data, bot, first, waiting);
    } finally {
      afterStop.stop().await();
    }
  }

  private void assertReadyOnce(TestApp app, Path data, String bot, String first, String waiting) throws Exception {
    JsonObject doc = Knowledge.settled(app, bot, waiting).await();
    assertThat(doc.getString("status")).as(doc.encode()).isEqualTo("ready");
    assertThat(doc.getInteger("chunks_done")).isEqualTo(2);
    assertThat(names(Knowledge.search(app, bot, "zebra enclosure feeding").await())).contains("zebras.md");
    KnowledgeIndex index = KnowledgeIndex.open(data.resolve("index"));
    try {
      assertThat(index.countDocument(waiting)).as("each chunk once").isEqualTo(2);
      assertThat(index.countDocument(first)).isEqualTo(1);
      assertThat(index.count(bot)).isEqualTo(3);
    } finally {
      index.release();
    }
  }

  private static JsonObject document(TestApp app, String bot, String id) {
    return app.admin(HttpMethod.GET, "/api/bots/" + bot + "/documents/" + id).send().await().bodyAsJsonObject();
  }

  private static List<String> names(JsonArray results) {
    return results.stream().map(r -> ((JsonObject) r).getString("document_name")).toList();
  }

  /** What a SIGKILL would leave: the database as committed, the index files but not the writer's lock. */
  private static void copyCommitted(TestApp app, Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        String name = file.getFileName().toString();
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else if (!name.startsWith("parley.db") && !name.equals("write.lock")) {
          copy(file, target);
        }
      }
    }
    try (Connection db = app.jdbc(); Statement statement = db.createStatement()) {
      statement.execute("VACUUM INTO '" + to.resolve("parley.db").toString().replace("'", "''") + "'");
    }
  }

  private static void copy(Path file, Path target) throws IOException {
    try {
      Files.copy(file, target);
    } catch (java.nio.file.NoSuchFileException deletedMeanwhile) {
      // a file Lucene no longer needs
    }
  }
}
