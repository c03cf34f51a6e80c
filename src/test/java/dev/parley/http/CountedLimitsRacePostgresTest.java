package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.BotKeys;
import dev.parley.testing.Knowledge;
import dev.parley.testing.LinedUp;
import dev.parley.testing.OnPostgres;
import dev.parley.testing.Operators;
import dev.parley.testing.Operators.SignedIn;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Limits counted before an insert, raced on PostgreSQL (READ COMMITTED): API tokens per user, API keys per bot,
 * stored answers and documents per bot. Each test lines three creations up ({@link LinedUp}) so that all of them
 * would count before any inserts; the limit holds only because Parley counts under a lock. (SQLite's writers run one
 * at a time.)
 */
@ParleyTest
@OnPostgres
@io.vertx.junit5.Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class CountedLimitsRacePostgresTest {

  private static final int MAX_ANSWERS = 2;
  private static final int MAX_DOCUMENTS = 2;
  private static final int FIXED_LIMIT = 50; // API tokens per user, API keys per bot

  private static TestApp app;
  private static Operators people;

  @ParleyConfig
  static JsonObject config() {
    return Operators.manySignIns().put("rag", new JsonObject().put("max_documents_per_bot", MAX_DOCUMENTS)
        .put("answers", new JsonObject().put("max_per_bot", MAX_ANSWERS)));
  }

  @BeforeAll
  static void people() {
    people = new Operators(app);
  }

  @Test
  void three_tokens_created_at_once_by_a_user_with_48_make_50_and_the_third_is_409() throws Exception {
    SignedIn editor = people.person("editor", null);
    for (int i = 0; i < FIXED_LIMIT - 2; i++) {
      people.token(editor, "token " + i);
    }
    List<HttpResponse<Buffer>> answers = LinedUp.on(app, "api_tokens", 3, i -> people
        .as(editor, HttpMethod.POST, "/api/tokens").sendJsonObject(new JsonObject().put("name", "raced " + i)));
    assertOneRefused(answers, "too_many_tokens");
    assertThat(Await.result(people.as(editor, HttpMethod.GET, "/api/tokens").send()).bodyAsJsonObject()
        .getJsonArray("tokens")).hasSize(FIXED_LIMIT);
  }

  @Test
  void three_keys_created_at_once_for_a_bot_with_48_make_50_and_the_third_is_409() throws Exception {
    String botId = bot();
    BotKeys keys = new BotKeys(app);
    for (int i = 0; i < FIXED_LIMIT - 2; i++) {
      keys.create(botId, "key " + i);
    }
    List<HttpResponse<Buffer>> answers = linedUpAdminPosts("bot_api_keys", "/api/bots/" + botId + "/api-keys",
        i -> new JsonObject().put("name", "raced " + i));
    assertOneRefused(answers, "too_many_keys");
    assertThat(Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/api-keys").send()).bodyAsJsonObject()
        .getJsonArray("keys")).hasSize(FIXED_LIMIT);
  }

  @Test
  void three_stored_answers_created_at_once_for_a_limit_of_two_make_two_and_the_third_is_409() throws Exception {
    String botId = bot();
    // the embedding model loads on first use: loaded here, so the lined-up requests reach their insert promptly
    assertThat(Await.result(app.admin(HttpMethod.POST, "/api/bots/" + bot() + "/answers")
        .sendJsonObject(new JsonObject().put("question", "Warm-up?").put("answer", "Yes"))).statusCode()).isEqualTo(201);
    List<HttpResponse<Buffer>> answers = linedUpAdminPosts("bot_answers", "/api/bots/" + botId + "/answers",
        i -> new JsonObject().put("question", "Question number " + i + "?").put("answer", "Answer " + i));
    assertOneRefused(answers, "quota_exceeded");
    assertThat(Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/answers").send()).bodyAsJsonObject()
        .getJsonArray("answers")).hasSize(MAX_ANSWERS);
  }

  @Test
  void three_documents_added_at_once_for_a_limit_of_two_make_two_the_third_is_409_and_leaves_no_file() throws Exception {
    String botId = bot();
    List<HttpResponse<Buffer>> answers = linedUpAdminPosts("documents", "/api/bots/" + botId + "/documents",
        i -> new JsonObject().put("name", "Note " + i).put("text", "Opening hours, note " + i + "."));
    assertOneRefused(answers, "quota_exceeded");
    assertThat(Await.result(Knowledge.documents(app, botId))).hasSize(MAX_DOCUMENTS);
    assertThat(storedFiles(botId)).as("originals kept on disk").isEqualTo(MAX_DOCUMENTS);
  }

  /** Three admin POSTs of {@code body(i)} to {@code path}, lined up on {@code table}. */
  private static List<HttpResponse<Buffer>> linedUpAdminPosts(String table, String path, IntFunction<JsonObject> body)
      throws Exception {
    return LinedUp.on(app, table, 3, i -> app.admin(HttpMethod.POST, path).sendJsonObject(body.apply(i)));
  }

  private static String bot() {
    return Await.result(app.createBot(new JsonObject().put("name", "limits"))).getString("id");
  }

  /** All created but one, refused with 409 {@code code}. */
  private static void assertOneRefused(List<HttpResponse<Buffer>> answers, String code) {
    int refused = 0;
    for (HttpResponse<Buffer> response : answers) {
      if (response.statusCode() == 409) {
        assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo(code);
        refused++;
      } else {
        assertThat(response.statusCode()).as(response.bodyAsString()).isIn(201, 202);
      }
    }
    assertThat(refused).as("creations refused").isEqualTo(1);
  }

  private static long storedFiles(String botId) throws IOException {
    Path folder = app.dataDir.resolve("documents").resolve(botId);
    if (!Files.isDirectory(folder)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.count();
    }
  }
}
