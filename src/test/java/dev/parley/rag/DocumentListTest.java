package dev.parley.rag;

import static dev.parley.testing.Knowledge.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.Knowledge;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/bots/{id}/documents} of a knowledge base too large to list whole at every poll: pages by cursor, a
 * status and a name filter, the documents changed since a time, and how many are in each status.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class DocumentListTest {

  static TestApp app;
  private static String botId;
  /** The bot's documents as the unfiltered list gives them, oldest first. */
  private static List<String> names;

  @BeforeAll
  static void documents() throws Exception {
    botId = Await.result(Knowledge.bot(app, new JsonObject())).getString("id");
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (int i = 0; i < 6; i++) {
      files.put("guide-" + i + ".txt", utf8("Guide number " + i + " explains how to pitch tent model " + i + "."));
    }
    files.put("Returns_100%.md", utf8("# Returns\nAll tents may be returned within 30 days."));
    files.put("Über unsere Zelte.txt", utf8("Unsere Zelte halten jedem Sturm stand."));
    files.put("broken.pdf", utf8("%PDF-1.4 garbage"));
    assertThat(Await.result(Knowledge.uploadAll(app, botId, files)).statusCode()).isEqualTo(202);
    Await.blockingUntil(() -> Knowledge.settled(list("").getJsonArray("documents"), files.size()), 30_000);
    names = names(list("").getJsonArray("documents"));
    assertThat(names).as("an upload's files listed in the upload's order").containsExactlyElementsOf(files.keySet());
  }

  @Test
  void pages_of_a_limit_follow_each_other_by_cursor_oldest_first_until_the_cursor_is_null() {
    List<String> seen = new ArrayList<>();
    JsonObject page = list("?limit=3");
    int pages = 1;
    while (true) {
      seen.addAll(names(page.getJsonArray("documents")));
      String next = page.getString("next_cursor");
      if (next == null) {
        break;
      }
      assertThat(page.getJsonArray("documents")).hasSize(3);
      page = list("?limit=3&cursor=" + next);
      pages++;
    }
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyElementsOf(names);
    assertThat(list("?limit=9").getString("next_cursor")).isNull();
    assertThat(list("?limit=2&order=oldest").getString("next_cursor")).isEqualTo(list("?limit=2").getString("next_cursor"));
  }

  @Test
  void newest_first_pages_walk_the_same_documents_backwards() {
    List<String> seen = new ArrayList<>();
    String next = null;
    do {
      JsonObject page = list("?order=newest&limit=5" + (next == null ? "" : "&cursor=" + next));
      seen.addAll(names(page.getJsonArray("documents")));
      next = page.getString("next_cursor");
    } while (next != null);
    List<String> backwards = new ArrayList<>(names);
    java.util.Collections.reverse(backwards);
    assertThat(seen).containsExactlyElementsOf(backwards);
    assertThat(names(list("?order=newest").getJsonArray("documents"))).containsExactlyElementsOf(backwards);
    // a cursor is a position: after the oldest document, newest first, nothing is left
    String afterOldest = list("?limit=1").getString("next_cursor");
    assertThat(list("?order=newest&cursor=" + afterOldest).getJsonArray("documents")).isEmpty();
    assertThat(list("").getString("next_cursor")).isNull();
  }

  @Test
  void every_answer_counts_the_bots_documents_in_each_status_whatever_the_filter() {
    JsonObject counts = list("?status=failed&limit=1").getJsonObject("counts");
    assertThat(counts).isEqualTo(new JsonObject().put("total", 9).put("pending", 0).put("processing", 0)
        .put("ready", 8).put("failed", 1));
    assertThat(list("").getJsonObject("counts")).isEqualTo(counts);
    assertThat(list("").getString("embedding_model")).isNotBlank();
  }

  @Test
  void a_status_filter_lists_only_those_statuses_and_takes_several() {
    assertThat(names(list("?status=failed").getJsonArray("documents"))).containsExactly("broken.pdf");
    assertThat(list("?status=pending,processing").getJsonArray("documents")).isEmpty();
    assertThat(names(list("?status=failed&status=ready").getJsonArray("documents"))).containsExactlyElementsOf(names);
  }

  @Test
  void a_text_filter_finds_names_ignoring_case_and_takes_percent_and_underscore_literally() {
    assertThat(names(list("?q=GUIDE-4").getJsonArray("documents"))).containsExactly("guide-4.txt");
    assertThat(names(list("?q=" + encode("s_100%")).getJsonArray("documents"))).containsExactly("Returns_100%.md");
    assertThat(list("?q=" + encode("e_4")).getJsonArray("documents")).isEmpty();
    assertThat(list("?q=" + encode("%")).getJsonArray("documents")).hasSize(1);
    assertThat(list("?q=" + encode("\\")).getJsonArray("documents")).isEmpty();
    assertThat(list("?q=nothing-like-this").getJsonArray("documents")).isEmpty();
    // A-Z is taken for a-z everywhere; a letter outside ASCII matches as typed (SQLite lowers A-Z only)
    assertThat(names(list("?q=" + encode("Über")).getJsonArray("documents"))).containsExactly("Über unsere Zelte.txt");
    assertThat(names(list("?q=ZELTE").getJsonArray("documents"))).containsExactly("Über unsere Zelte.txt");
  }

  @Test
  void updated_since_the_last_answers_time_lists_only_what_changed_after_it() {
    JsonObject before = list("");
    long asOf = before.getLong("as_of");
    assertThat(asOf).isGreaterThanOrEqualTo(before.getJsonArray("documents").stream().map(JsonObject.class::cast)
        .mapToLong(d -> d.getLong("updated_at")).max().orElseThrow());
    assertThat(list("?updated_since=" + (asOf + 1)).getJsonArray("documents")).isEmpty();
    String iso = java.time.Instant.ofEpochMilli(asOf + 1).atOffset(java.time.ZoneOffset.UTC).toString();
    assertThat(list("?updated_since=" + encode(iso)).getJsonArray("documents")).as(iso).isEmpty();
    assertThat(list("?updated_since=" + encode(java.time.Instant.ofEpochMilli(0).atOffset(java.time.ZoneOffset.UTC)
        .toString())).getJsonArray("documents")).hasSize(names.size());
    String failed = list("?status=failed").getJsonArray("documents").getJsonObject(0).getString("id");
    HttpResponse<Buffer> retried = Await.result(app.admin(HttpMethod.POST,
        "/api/bots/" + botId + "/documents/" + failed + "/retry").send());
    assertThat(retried.statusCode()).isEqualTo(202);
    Await.result(Knowledge.settled(app, botId, failed));
    assertThat(names(list("?updated_since=" + (asOf + 1)).getJsonArray("documents"))).containsExactly("broken.pdf");
  }

  @Test
  void updated_since_also_lists_the_documents_deleted_since_and_null_when_that_is_further_back_than_they_are_kept()
      throws InterruptedException {
    String bot = Await.result(Knowledge.bot(app, new JsonObject())).getString("id");
    List<String> ids = uploadSettled(bot, "a.txt", "b.txt", "c.txt");
    long asOf = listOf(bot, "").getLong("as_of");
    assertThat(listOf(bot, "?updated_since=" + asOf).getJsonArray("deleted")).isEmpty();

    deleteDocument(bot, ids.get(0));
    deleteDocument(bot, ids.get(1));

    JsonObject after = listOf(bot, "?updated_since=" + asOf);
    assertThat(after.getJsonArray("deleted")).containsExactly(ids.get(0), ids.get(1));
    assertThat(after.getJsonArray("documents")).isEmpty();
    assertThat(after.getJsonObject("counts").getLong("total")).isEqualTo(1);
    assertThat(listOf(bot, "?updated_since=" + (after.getLong("as_of") + 1)).getJsonArray("deleted")).isEmpty();
    assertThat(listOf(bot, "").containsKey("deleted")).as("only a list of changes lists deletions").isFalse();
    assertThat(list("?updated_since=" + asOf).getJsonArray("deleted")).as("another bot's").isEmpty();
    JsonObject tooOld = listOf(bot, "?updated_since=" + (System.currentTimeMillis() - DocumentStore.DELETIONS_KEPT_MS
        - 60_000));
    assertThat(tooOld.containsKey("deleted")).isTrue();
    assertThat(tooOld.getValue("deleted")).as("further back than deletions are kept: read the list again").isNull();
    assertThat(names(tooOld.getJsonArray("documents"))).containsExactly("c.txt");
  }

  @Test
  void a_delete_takes_out_every_deletion_older_than_they_are_kept_and_a_deleted_bots_go_with_it() throws Exception {
    String bot = Await.result(Knowledge.bot(app, new JsonObject())).getString("id");
    List<String> ids = uploadSettled(bot, "x.txt", "y.txt");
    long old = System.currentTimeMillis() - DocumentStore.DELETIONS_KEPT_MS - 1_000;
    try (Connection connection = app.jdbc(); PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO document_deletions (bot_id, document_id, deleted_at) VALUES (?, ?, ?)")) {
      for (String owner : List.of(bot, botId)) {
        insert.setString(1, owner);
        insert.setString(2, "doc_old_" + owner);
        insert.setLong(3, old);
        insert.executeUpdate();
      }
    }

    deleteDocument(bot, ids.get(0));

    assertThat(app.count("SELECT COUNT(*) FROM document_deletions WHERE bot_id = '" + bot + "'"))
        .as("the new record only").isEqualTo(1);
    assertThat(app.count("SELECT COUNT(*) FROM document_deletions WHERE document_id = 'doc_old_" + botId + "'"))
        .as("another bot's old record too").isZero();
    assertThat(Await.result(app.admin(HttpMethod.DELETE, "/api/bots/" + bot).send()).statusCode()).isEqualTo(204);
    assertThat(app.count("SELECT COUNT(*) FROM document_deletions WHERE bot_id = '" + bot + "'")).isZero();
  }

  /** Uploads one small text file per name to the bot, and waits until they are settled: their ids, in that order. */
  private static List<String> uploadSettled(String bot, String... fileNames) throws InterruptedException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String name : fileNames) {
      files.put(name, utf8("The text of " + name + "."));
    }
    assertThat(Await.result(Knowledge.uploadAll(app, bot, files)).statusCode()).isEqualTo(202);
    Await.blockingUntil(() -> Knowledge.settled(listOf(bot, "").getJsonArray("documents"), files.size()), 30_000);
    JsonArray documents = listOf(bot, "").getJsonArray("documents");
    assertThat(names(documents)).containsExactly(fileNames);
    return documents.stream().map(d -> ((JsonObject) d).getString("id")).toList();
  }

  private static void deleteDocument(String bot, String id) {
    assertThat(Await.result(app.admin(HttpMethod.DELETE, "/api/bots/" + bot + "/documents/" + id).send())
        .statusCode()).isEqualTo(204);
  }

  @Test
  void another_bots_cursor_and_filters_never_reach_this_bots_documents() {
    String other = Await.result(Knowledge.bot(app, new JsonObject())).getString("id");
    String cursor = list("?limit=1").getString("next_cursor");
    HttpResponse<Buffer> response = get(other, "?limit=5&cursor=" + cursor);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getJsonArray("documents")).isEmpty();
    assertThat(response.bodyAsJsonObject().getJsonObject("counts").getLong("total")).isZero();
  }

  @Test
  void bad_filters_are_400_naming_the_filter() {
    refused("?status=done", "invalid_parameter", "status");
    refused("?status=ready,", "invalid_parameter", "status");
    refused("?limit=0", "invalid_parameter", "limit");
    refused("?limit=1001", "invalid_parameter", "limit");
    refused("?limit=ten", "invalid_parameter", "limit");
    refused("?q=" + "x".repeat(101), "invalid_parameter", "q");
    refused("?q=%20%20", "invalid_parameter", "q");
    refused("?q=a&q=b", "invalid_parameter", "q");
    refused("?updated_since=yesterday", "invalid_parameter", "updated_since");
    refused("?updated_since=-5", "invalid_parameter", "updated_since");
    refused("?cursor=not-a-cursor", "invalid_cursor", "cursor");
    refused("?order=random", "invalid_parameter", "order");
    String forged = java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString("1:x' OR 1=1 --".getBytes(StandardCharsets.UTF_8));
    refused("?cursor=" + forged, "invalid_cursor", "cursor");
  }

  @Test
  void the_list_of_a_bot_that_does_not_exist_is_404() {
    assertThat(get("bot_missing", "?limit=5").statusCode()).isEqualTo(404);
  }

  private static void refused(String query, String code, String field) {
    HttpResponse<Buffer> response = get(botId, query);
    assertThat(response.statusCode()).as(query).isEqualTo(400);
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).as(query).isEqualTo(code);
    if (field != null) {
      assertThat(error.getString("field")).as(query).isEqualTo(field);
    }
  }

  private static JsonObject list(String query) {
    return listOf(botId, query);
  }

  private static JsonObject listOf(String bot, String query) {
    HttpResponse<Buffer> response = get(bot, query);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> get(String bot, String query) {
    return Await.result(app.admin(HttpMethod.GET, "/api/bots/" + bot + "/documents" + query).send());
  }

  private static List<String> names(JsonArray documents) {
    return documents.stream().map(d -> ((JsonObject) d).getString("name")).toList();
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
