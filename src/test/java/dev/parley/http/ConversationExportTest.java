package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.CsvRows;
import dev.parley.testing.Operators;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.Seed;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/bots/{id}/conversations/export}: what a JSONL and a CSV export hold, who is refused and how, the
 * time window, and 100,000 conversations streamed with the server's live heap staying flat.
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class ConversationExportTest {

  private static final int MANY = 100_000;

  static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    return Operators.manySignIns();
  }

  private static String bot(String name) {
    return Await.result(app.createBot(new JsonObject().put("name", name).put("provider", "openai")
        .put("api_key", "sk-export-test-0123456789").put("rag", new JsonObject().put("enabled", false)))).getString("id");
  }

  private static JsonObject turn(String botId, String session, String message) {
    HttpResponse<Buffer> response = Await.result(app.chat(botId,
        new JsonObject().put("message", message).put("session_id", session)));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> export(String botId, String query) {
    return Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/conversations/export" + query).send());
  }

  private static List<JsonObject> jsonl(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    List<JsonObject> lines = new ArrayList<>();
    for (String line : response.bodyAsString().split("\n")) {
      lines.add(new JsonObject(line));
    }
    return lines;
  }

  @Test
  void jsonl_and_csv_carry_every_message_with_its_usage_and_feedback_and_the_export_is_audited() throws Exception {
    String botId = bot("Export shape");
    JsonObject answer = turn(botId, "export-shape-one", "first question");
    HttpResponse<Buffer> rated = Await.result(app.client
        .post("/api/chat/" + botId + "/messages/" + answer.getString("message_id") + "/feedback")
        .sendJsonObject(new JsonObject().put("rating", "down").put("comment", "too short, \"really\"")));
    assertThat(rated.statusCode()).as(rated.bodyAsString()).isLessThan(300);
    turn(botId, "export-shape-one", "=HYPERLINK(\"http://evil.test\")");
    turn(botId, "export-shape-two", "a, b and \"c\"\nsecond line");

    HttpResponse<Buffer> response = export(botId, "?format=jsonl");
    assertThat(response.getHeader("Content-Type")).startsWith("application/x-ndjson");
    assertThat(response.getHeader("Content-Disposition")).startsWith("attachment;").contains(".jsonl");
    List<JsonObject> lines = jsonl(response);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(2)).isEqualTo(new JsonObject().put("export_complete", true).put("conversations", 2));
    JsonObject first = lines.get(0);
    assertThat(first.getString("session_id")).isEqualTo("export-shape-one");
    assertThat(first.getString("conversation_id")).isNotBlank();
    assertThat(Instant.parse(first.getString("started_at"))).isBefore(Instant.now().plusSeconds(1));
    JsonArray messages = first.getJsonArray("messages");
    assertThat(messages).extracting(m -> ((JsonObject) m).getString("role"))
        .containsExactly("user", "assistant", "user", "assistant");
    JsonObject question = messages.getJsonObject(0);
    assertThat(question.getString("content")).isEqualTo("first question");
    assertThat(question.getValue("feedback")).isNull();
    JsonObject reply = messages.getJsonObject(1);
    assertThat(reply.getString("content")).isNotBlank();
    assertThat(reply.getInteger("input_tokens")).isPositive();
    assertThat(reply.getInteger("output_tokens")).isPositive();
    assertThat(reply.getDouble("cost")).isPositive();
    assertThat(reply.getString("provider")).isEqualTo("openai");
    assertThat(reply.getJsonObject("feedback"))
        .isEqualTo(new JsonObject().put("rating", "down").put("comment", "too short, \"really\""));
    assertThat(messages.getJsonObject(3).getValue("feedback")).isNull();
    assertThat(lines.get(1).getJsonArray("messages").getJsonObject(0).getString("content"))
        .isEqualTo("a, b and \"c\"\nsecond line");

    HttpResponse<Buffer> csv = export(botId, "?format=csv");
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.getHeader("Content-Type")).startsWith("text/csv");
    assertThat(csv.getHeader("Content-Disposition")).startsWith("attachment;").contains(".csv");
    String body = csv.bodyAsString();
    assertThat(body).startsWith("conversation_id,session_id,started_at,role,content,status,sources,feedback,"
        + "feedback_comment,input_tokens,output_tokens,cost,latency_ms,provider,model,error,at,state,state_reason,"
        + "assignee_name,author_name\r\n");
    List<List<String>> rows = CsvRows.parse(body);
    assertThat(rows).hasSize(1 + 6);
    assertThat(rows).allSatisfy(row -> assertThat(row).hasSize(21));
    assertThat(rows.subList(1, 7)).extracting(row -> row.get(3))
        .containsExactly("user", "assistant", "user", "assistant", "user", "assistant");
    assertThat(rows.get(2).get(7)).isEqualTo("down");
    assertThat(rows.get(2).get(8)).isEqualTo("too short, \"really\"");
    assertThat(rows.get(2).get(14)).isNotBlank();
    assertThat(Double.parseDouble(rows.get(2).get(11))).isPositive();
    assertThat(rows.get(3).get(4)).isEqualTo("'=HYPERLINK(\"http://evil.test\")");
    assertThat(rows.get(5).get(4)).isEqualTo("a, b and \"c\"\nsecond line");
    assertThat(body).contains("\"a, b and \"\"c\"\"\nsecond line\"");

    long deadline = System.currentTimeMillis() + 10_000;
    while (audited(botId).size() < 2 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(audited(botId)).hasSize(2).allSatisfy(entry -> assertThat(entry.getString("action")).isEqualTo("conversation.export"));
  }

  @Test
  void head_answers_with_the_exports_headers_without_exporting_or_an_audit_entry() throws Exception {
    String botId = bot("Export head");
    turn(botId, "export-head", "a question");

    HttpResponse<Buffer> head = Await.result(app.admin(HttpMethod.HEAD, "/api/bots/" + botId
        + "/conversations/export?format=csv").send());
    HttpResponse<Buffer> get = export(botId, "?format=csv");

    assertThat(head.statusCode()).isEqualTo(200).isEqualTo(get.statusCode());
    assertThat(head.getHeader("Content-Type")).isEqualTo(get.getHeader("Content-Type"));
    assertThat(head.getHeader("Content-Disposition")).isEqualTo(get.getHeader("Content-Disposition"));
    assertThat(head.body() == null ? 0 : head.body().length()).isZero();
    long deadline = System.currentTimeMillis() + 10_000;
    while (audited(botId).isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    Thread.sleep(300);
    assertThat(audited(botId)).as("the GET's entry only").hasSize(1);
    assertThat(Await.result(app.admin(HttpMethod.HEAD, "/api/bots/bot_missing0000000000/conversations/export").send())
        .statusCode()).isEqualTo(404);
  }

  private static List<JsonObject> audited(String botId) {
    HttpResponse<Buffer> response = Await.result(app.admin(HttpMethod.GET, "/api/audit?action=conversation.export").send());
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getJsonArray("entries").stream().map(e -> (JsonObject) e)
        .filter(e -> botId.equals(e.getString("bot_id"))).toList();
  }

  @Test
  void bad_parameters_strangers_viewers_and_bots_outside_the_scope_are_refused() throws Exception {
    String botId = bot("Export refusals");
    turn(botId, "export-refused", "something private");
    for (String query : List.of("?format=xml", "?format=JSONL", "?since=yesterday", "?until=2025-13-01",
        "?since=2025-01-31T12:00:00", "?since=2025-02-01&until=2025-01-01", "?since=2025-02-01&until=2025-02-01")) {
      HttpResponse<Buffer> refused = export(botId, query);
      assertThat(refused.statusCode()).as(query).isEqualTo(400);
      assertThat(refused.getHeader("Content-Type")).as(query).startsWith("application/json");
      assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).as(query)
          .isIn("invalid_format", "invalid_parameter");
      assertThat(refused.bodyAsString()).as(query).doesNotContain("something private");
    }
    HttpResponse<Buffer> unknown = export("bot_missing0000000000", "?format=csv");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not_found");

    String path = "/api/bots/" + botId + "/conversations/export";
    HttpResponse<Buffer> anonymous = Await.result(app.client.get(path).send());
    assertThat(anonymous.statusCode()).isEqualTo(401);

    Operators people = new Operators(app);
    HttpResponse<Buffer> viewer = Await.result(people.as(people.person("viewer", null), HttpMethod.GET, path).send());
    assertThat(viewer.statusCode()).isEqualTo(403);
    String elsewhere = people.token(people.person("editor", new JsonArray().add("bot_somewhere_else")), "export");
    HttpResponse<Buffer> outside = Await.result(people.bearer(elsewhere, HttpMethod.GET, path).send());
    assertThat(outside.statusCode()).isEqualTo(404);
    for (HttpResponse<Buffer> refused : List.of(anonymous, viewer, outside)) {
      assertThat(refused.bodyAsString()).doesNotContain("something private");
    }
    String editor = people.token(people.person("editor", new JsonArray().add(botId)), "export");
    HttpResponse<Buffer> allowed = Await.result(people.bearer(editor, HttpMethod.GET, path).send());
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.bodyAsString()).contains("something private");
  }

  @Test
  void since_and_until_keep_the_conversations_active_in_the_window() throws Exception {
    String botId = bot("Export window");
    long january = Instant.parse("2025-01-10T00:00:00Z").toEpochMilli();
    long february = Instant.parse("2025-02-10T00:00:00Z").toEpochMilli();
    long march = Instant.parse("2025-03-10T00:00:00Z").toEpochMilli();
    Await.result(app.vertx.executeBlocking(() -> {
      Seed.conversations(app, botId, "jan", 2, 10, january);
      Seed.conversations(app, botId, "feb", 3, 10, february);
      Seed.conversations(app, botId, "mar", 2, 10, march);
      return null;
    }));
    assertThat(sessions(botId, "")).containsExactly("jan-00000000", "jan-00000001", "feb-00000000", "feb-00000001",
        "feb-00000002", "mar-00000000", "mar-00000001");
    assertThat(sessions(botId, "?since=2025-02-01")).containsExactly("feb-00000000", "feb-00000001", "feb-00000002",
        "mar-00000000", "mar-00000001");
    assertThat(sessions(botId, "?until=2025-03-01")).containsExactly("jan-00000000", "jan-00000001", "feb-00000000",
        "feb-00000001", "feb-00000002");
    assertThat(sessions(botId, "?since=2025-02-01&until=2025-03-01")).containsExactly("feb-00000000", "feb-00000001",
        "feb-00000002");
    // feb-n started and was last active at 00:00:00.00n: since is inclusive, until exclusive, offsets count
    assertThat(sessions(botId, "?since=2025-02-10T00:00:00.001Z&until=2025-02-10T01:00:00.002%2B01:00"))
        .containsExactly("feb-00000001");
    assertThat(sessions(botId, "?since=2025-04-01")).isEmpty();
    assertThat(CsvRows.parse(export(botId, "?format=csv&since=2025-03-01").bodyAsString())).hasSize(1 + 2 * 2);
  }

  private static List<String> sessions(String botId, String query) {
    List<JsonObject> lines = jsonl(export(botId, query));
    JsonObject end = lines.remove(lines.size() - 1);
    assertThat(end.getBoolean("export_complete")).isTrue();
    assertThat(end.getInteger("conversations")).isEqualTo(lines.size());
    return lines.stream().map(line -> line.getString("session_id")).toList();
  }

  @Test
  void a_hundred_thousand_conversations_stream_with_the_heap_staying_flat() throws Exception {
    String botId = bot("Export many");
    long seedStart = System.nanoTime();
    Await.result(app.vertx.executeBlocking(() -> {
      Seed.conversations(app, botId, "many", MANY, 40, Instant.parse("2025-06-01T00:00:00Z").toEpochMilli());
      return null;
    }), 120);
    System.out.printf("seeded %d conversations in %d ms%n", MANY, (System.nanoTime() - seedStart) / 1_000_000);

    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long baseline = memory.getHeapMemoryUsage().getUsed();
    AtomicLong peak = new AtomicLong(baseline);
    LineCounter counter = new LineCounter();
    long exportStart = System.nanoTime();
    Future<HttpClientResponse> done = stream("/api/bots/" + botId + "/conversations/export?format=jsonl", counter);
    // the live heap (after a collection), sampled while the export runs: garbage comes and goes, what is kept stays
    while (!done.isComplete()) {
      Thread.sleep(250);
      System.gc();
      peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
    }
    HttpClientResponse response = Await.result(done);
    long growth = peak.get() - baseline;
    System.out.printf("exported %d bytes in %d lines in %d ms; live heap grew by at most %d bytes%n", counter.bytes,
        counter.lines, (System.nanoTime() - exportStart) / 1_000_000, growth);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(counter.lines).isEqualTo(MANY + 1);
    assertThat(new JsonObject(counter.last())).isEqualTo(new JsonObject().put("export_complete", true)
        .put("conversations", MANY));
    assertThat(response.trailers().get("X-Export-Complete")).isEqualTo("true");
    assertThat(response.trailers().get("X-Export-Conversations")).isEqualTo(String.valueOf(MANY));
    assertThat(counter.bytes).isGreaterThan(MANY * 200L);
    assertThat(growth).as("live heap growth against %d bytes streamed", counter.bytes).isLessThan(counter.bytes / 4);
  }

  /**
   * A streamed GET with the bootstrap token: the body goes through {@code counter} and is not kept; the client pauses
   * now and then, as a slow reader would, so the server has to wait for its write queue to drain.
   */
  private static Future<HttpClientResponse> stream(String path, LineCounter counter) {
    HttpClient client = app.vertx.createHttpClient();
    Promise<HttpClientResponse> done = Promise.promise();
    client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("localhost").setPort(app.port).setURI(path)
            .putHeader("Authorization", "Bearer " + TestApp.ADMIN_TOKEN))
        // the handlers are set on the event loop as the response arrives, before its first chunk can be delivered
        .compose(request -> request.send().map(response -> {
          response.handler(chunk -> {
            long before = counter.bytes;
            counter.accept(chunk);
            if (before / 4_000_000 != counter.bytes / 4_000_000) {
              response.pause();
              app.vertx.setTimer(50, t -> response.resume());
            }
          });
          response.exceptionHandler(done::tryFail);
          response.endHandler(v -> done.tryComplete(response));
          return response;
        }))
        .onFailure(done::tryFail);
    return done.future().eventually(() -> client.close());
  }

  /** Counts the lines of a body as it streams, keeping only the line being read. */
  private static final class LineCounter {

    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private byte[] last = new byte[0];
    long lines;
    long bytes;

    void accept(Buffer chunk) {
      bytes += chunk.length();
      for (int i = 0; i < chunk.length(); i++) {
        byte b = chunk.getByte(i);
        if (b == '\n') {
          lines++;
          last = current.toByteArray();
          current.reset();
        } else {
          current.write(b);
        }
      }
    }

    String last() {
      return new String(last, StandardCharsets.UTF_8);
    }
  }
}
