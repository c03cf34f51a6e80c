package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.AuditClient;
import dev.parley.common.Bus;
import dev.parley.common.Role;
import dev.parley.common.Timeouts;
import dev.parley.testing.Knowledge;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The audit trail at the HTTP edge: every admin write route of the router, walked as OpenApiTest walks it, leaves
 * exactly one entry with its action, target and request id; a bot's key is recorded as changed, never as itself;
 * reads, refusals and failures leave none; {@code GET /api/audit} filters and pages; no route edits or deletes an
 * entry; a failing audit store never fails the write; and explicit events (sign-ins) go through the same trail.
 */
@ParleyTest
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class AuditTrailTest {

  private static final String CANARY_KEY = "sk-TESTCANARY-audit-7c1d9e2f4a6b8c0d";
  private static final String OTHER_CANARY_KEY = "sk-TESTCANARY-audit-second-5e3a1b9c";

  private static TestApp app;
  private static HttpServer site;

  /** Embeddings from the fake OpenAI (no model to load); URL documents from a local site that has no pages. */
  @ParleyConfig
  static Future<JsonObject> config(Vertx vertx) {
    return vertx.createHttpServer().requestHandler(request -> request.response().setStatusCode(404).end())
        .listen(0, "127.0.0.1").map(server -> {
          site = server;
          return new JsonObject().put("rag", new JsonObject().put("allow_private_urls", true)
              .put("allowed_url_ports", new JsonArray())
              .put("embeddings", new JsonObject().put("provider", "openai").put("api_key", "sk-test-embeddings")));
        });
  }

  private static String rid(String what) {
    return "audit-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static Future<HttpResponse<Buffer>> send(HttpMethod method, String path, JsonObject body, String requestId) {
    var request = app.admin(method, path).putHeader("X-Request-Id", requestId);
    return body == null ? request.send() : request.sendJsonObject(body);
  }

  private static Future<HttpResponse<Buffer>> expect(Future<HttpResponse<Buffer>> sent, int status) {
    return sent.map(response -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
      return response;
    });
  }

  /** The audit rows of a request, read behind the API: {@code [{action, target_type, …}]} with changes as text. */
  private static Future<List<JsonObject>> rows(String requestId) {
    return app.vertx.executeBlocking(() -> {
      List<JsonObject> found = new ArrayList<>();
      try (Connection connection = app.jdbc();
          PreparedStatement select = connection.prepareStatement("SELECT action, target_type, target_id, bot_id, "
              + "actor_kind, actor_role, status, outcome, changes, client_address FROM audit_log WHERE request_id = ?")) {
        select.setString(1, requestId);
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            JsonObject row = new JsonObject();
            for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
              row.put(rows.getMetaData().getColumnLabel(i), rows.getObject(i));
            }
            found.add(row);
          }
        }
      }
      return found;
    });
  }

  /** The one row of a request, once it is there (the entry is written just after the response). */
  private static Future<JsonObject> recorded(String requestId) {
    return poll(requestId, 0).compose(v -> app.vertx.timer(100)).compose(v -> rows(requestId)).map(found -> {
      assertThat(found).as("entries of request %s", requestId).hasSize(1);
      return found.get(0);
    });
  }

  private static Future<Void> poll(String requestId, int attempt) {
    return rows(requestId).compose(found -> {
      if (!found.isEmpty()) {
        return Future.succeededFuture();
      }
      if (attempt > 200) {
        return Future.failedFuture("no audit entry for request " + requestId);
      }
      return app.vertx.timer(50).compose(v -> poll(requestId, attempt + 1));
    });
  }

  private record Write(String route, HttpMethod method, Function<Map<String, String>, String> path, JsonObject body,
      int status, String action, String targetType, String targetKey) {
  }

  /** Write routes whose audit entries other tests check: BotApiKeysTest, InboxApiTest, McpToolTest and AnswersApiTest. */
  private static final List<String> AUDITED_ELSEWHERE = List.of("POST /api/bots/:botId/api-keys",
      "POST /api/bots/:botId/tools/:toolName/refresh",
      "DELETE /api/bots/:botId/api-keys/:keyId", "POST /api/bots/:botId/conversations/:conversationId/assign",
      "POST /api/bots/:botId/conversations/:conversationId/messages",
      "POST /api/bots/:botId/conversations/:conversationId/notes",
      "POST /api/bots/:botId/conversations/:conversationId/release",
      "POST /api/bots/:botId/conversations/:conversationId/close",
      // AnswersApiTest
      "POST /api/bots/:botId/answers", "PUT /api/bots/:botId/answers/:answerId",
      "DELETE /api/bots/:botId/answers/:answerId", "POST /api/bots/:botId/answers/import");

  @Test
  void every_admin_write_route_leaves_exactly_one_entry_with_its_action_target_and_request_id(VertxTestContext test) {
    String missing = "http://127.0.0.1:" + site.actualPort() + "/missing";
    List<Write> writes = List.of(
        new Write("POST /api/bots", HttpMethod.POST, ids -> "/api/bots",
            new JsonObject().put("name", "Audited").put("api_key", CANARY_KEY), 201, "bot.create", "bot", "bot"),
        new Write("PUT /api/bots/:botId", HttpMethod.PUT, ids -> "/api/bots/" + ids.get("bot"),
            new JsonObject().put("temperature", 0.3).put("tools", new JsonArray().add(new JsonObject().put("type", "bus")
                .put("name", "lookup").put("description", "Looks an order up")
                .put("parameters", new JsonObject().put("type", "object")))), 200, "bot.update", "bot", "bot"),
        new Write("POST /api/bots/:botId/tools/:toolName/test", HttpMethod.POST,
            ids -> "/api/bots/" + ids.get("bot") + "/tools/lookup/test", new JsonObject().put("arguments", new JsonObject()),
            200, "tool.test", "tool", "tool"),
        new Write("POST /api/bots/:botId/documents", HttpMethod.POST, ids -> "/api/bots/" + ids.get("bot") + "/documents",
            new JsonObject().put("url", missing), 202, "document.create", "document", "doc"),
        new Write("POST /api/bots/:botId/documents/:docId/retry", HttpMethod.POST,
            ids -> "/api/bots/" + ids.get("bot") + "/documents/" + ids.get("doc") + "/retry", null, 202,
            "document.retry", "document", "doc"),
        new Write("POST /api/bots/:botId/documents/:docId/sync", HttpMethod.POST,
            ids -> "/api/bots/" + ids.get("bot") + "/documents/" + ids.get("doc") + "/sync", null, 202,
            "document.sync", "document", "doc"),
        new Write("POST /api/bots/:botId/search", HttpMethod.POST, ids -> "/api/bots/" + ids.get("bot") + "/search",
            new JsonObject().put("query", "opening hours").put("mode", "bm25"), 200, "knowledge.search", "bot", "bot"),
        new Write("POST /api/bots/:botId/evaluations", HttpMethod.POST,
            ids -> "/api/bots/" + ids.get("bot") + "/evaluations", new JsonObject().put("questions",
                new JsonArray().add(new JsonObject().put("question", "opening hours"))), 202, "evaluation.create",
            "evaluation", "eval"),
        new Write("POST /api/bots/:botId/reindex", HttpMethod.POST, ids -> "/api/bots/" + ids.get("bot") + "/reindex",
            null, 202, "knowledge.reindex", "bot", "bot"),
        new Write("DELETE /api/bots/:botId/documents/:docId", HttpMethod.DELETE,
            ids -> "/api/bots/" + ids.get("bot") + "/documents/" + ids.get("doc"), null, 204, "document.delete",
            "document", "doc"),
        new Write("DELETE /api/bots/:botId/sessions/:sessionId", HttpMethod.DELETE,
            ids -> "/api/bots/" + ids.get("bot") + "/sessions/" + ids.get("session"), null, 204, "session.delete",
            "session", "session"),
        new Write("DELETE /api/bots/:botId", HttpMethod.DELETE, ids -> "/api/bots/" + ids.get("bot"), null, 204,
            "bot.delete", "bot", "bot"));

    Map<String, String> ids = new HashMap<>();
    ids.put("tool", "lookup");
    Map<Write, String> requestIds = new HashMap<>();
    RouterAccess.routes(app.vertx, app.config).compose(routes -> {
      List<String> covered = new ArrayList<>(writes.stream().map(Write::route).toList());
      covered.addAll(OperatorsAuditTest.ROUTES);
      covered.addAll(AUDITED_ELSEWHERE);
      assertThat(covered).as("a write for each admin write route (here or in OperatorsAuditTest)")
          .containsExactlyInAnyOrderElementsOf(adminWriteRoutes(routes));
      Future<Void> chain = Future.succeededFuture();
      for (Write write : writes) {
        chain = chain.compose(v -> write.targetKey().equals("doc") ? settleDocument(ids)
                : write.targetKey().equals("session") ? chatOnce(ids) : Future.succeededFuture())
            .compose(v -> {
          String requestId = rid("walk");
          requestIds.put(write, requestId);
          return expect(send(write.method(), write.path().apply(ids), write.body(), requestId), write.status());
        }).map(response -> {
          if (write.action().equals("bot.create")) {
            ids.put("bot", response.bodyAsJsonObject().getString("id"));
          } else if (write.action().equals("evaluation.create")) {
            ids.put("eval", response.bodyAsJsonObject().getString("eval_id"));
          } else if (write.action().equals("document.create")) {
            ids.put("doc", response.bodyAsJsonObject().getJsonArray("documents").getJsonObject(0).getString("id"));
          }
          return null;
        });
      }
      return chain;
    }).compose(v -> {
      Future<Void> checks = Future.succeededFuture();
      for (Write write : writes) {
        checks = checks.compose(x -> recorded(requestIds.get(write))).map(row -> {
          assertThat(row.getString("action")).as(write.route()).isEqualTo(write.action());
          assertThat(row.getString("target_type")).as(write.route()).isEqualTo(write.targetType());
          assertThat(row.getString("target_id")).as(write.route()).isEqualTo(ids.get(write.targetKey()));
          assertThat(row.getString("bot_id")).as(write.route()).isEqualTo(ids.get("bot"));
          assertThat(row.getString("actor_kind")).isEqualTo("bootstrap");
          assertThat(row.getString("actor_role")).isEqualTo("owner");
          assertThat(((Number) row.getValue("status")).intValue()).isEqualTo(write.status());
          assertThat(row.getString("outcome")).isEqualTo("success");
          assertThat(row.getString("client_address")).isEqualTo("127.0.0.1");
          return null;
        });
      }
      return checks;
    }).onComplete(test.succeedingThenComplete());
  }

  /** A visitor's turn with the walk's bot, so that there is a session to erase. */
  private static Future<Void> chatOnce(Map<String, String> ids) {
    return app.client.post("/api/chat/" + ids.get("bot")).sendJsonObject(new JsonObject().put("message", "hello"))
        .map(response -> {
          ids.put("session", response.bodyAsJsonObject().getString("session_id"));
          return null;
        });
  }

  /** Waits until the document of the walk (if any yet) is no longer being ingested: a retry needs it failed. */
  private static Future<Void> settleDocument(Map<String, String> ids) {
    return ids.containsKey("doc") ? Knowledge.settled(app, ids.get("bot"), ids.get("doc")).mapEmpty()
        : Future.succeededFuture();
  }

  /** {@code "METHOD /path"} of every admin route that is not a read. */
  static Set<String> adminWriteRoutes(List<Route> routes) {
    Set<String> writes = new TreeSet<>();
    for (Route route : routes) {
      String path = route.getPath();
      if (path == null || !route.isExactPath() || !path.startsWith("/api/") || path.startsWith("/api/chat/")
          || route.methods() == null) {
        continue;
      }
      for (HttpMethod method : route.methods()) {
        if (method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.OPTIONS) {
          writes.add(method.name() + " " + path);
        }
      }
    }
    return writes;
  }

  @Test
  void a_bots_api_key_is_recorded_as_changed_and_never_as_itself(VertxTestContext test) {
    String create = rid("key-create");
    String update = rid("key-update");
    String clear = rid("key-clear");
    expect(send(HttpMethod.POST, "/api/bots", new JsonObject().put("name", "Keyed").put("api_key", CANARY_KEY)
        .put("max_tokens", 300).put("prompt", "Be brief."), create), 201)
        .compose(created -> {
          String botId = created.bodyAsJsonObject().getString("id");
          return expect(send(HttpMethod.PUT, "/api/bots/" + botId, new JsonObject().put("api_key", OTHER_CANARY_KEY),
              update), 200)
              .compose(r -> expect(send(HttpMethod.PUT, "/api/bots/" + botId, new JsonObject().putNull("api_key"),
                  clear), 200))
              .compose(r -> recorded(create))
              .compose(row -> {
                JsonObject changes = new JsonObject(row.getString("changes"));
                assertThat(changes).isEqualTo(new JsonObject().put("name", "Keyed").put("api_key", "[changed]")
                    .put("max_tokens", 300).put("prompt", "Be brief."));
                return recorded(update);
              })
              .compose(row -> {
                assertThat(new JsonObject(row.getString("changes"))).isEqualTo(new JsonObject().put("api_key", "[changed]"));
                return recorded(clear);
              })
              .compose(row -> {
                assertThat(new JsonObject(row.getString("changes"))).isEqualTo(new JsonObject().put("api_key", "[removed]"));
                return app.admin(HttpMethod.GET, "/api/audit?bot_id=" + botId).send();
              })
              .compose(page -> {
                assertThat(page.statusCode()).isEqualTo(200);
                assertThat(page.bodyAsJsonObject().getJsonArray("entries")).hasSize(3);
                assertThat(page.bodyAsString()).contains("[changed]").doesNotContain("TESTCANARY");
                return app.vertx.executeBlocking(() -> {
                  StringBuilder stored = new StringBuilder();
                  try (Connection connection = app.jdbc(); Statement statement = connection.createStatement();
                      ResultSet rows = statement.executeQuery("SELECT * FROM audit_log")) {
                    while (rows.next()) {
                      for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
                        stored.append(rows.getString(i)).append('|');
                      }
                    }
                  }
                  assertThat(stored).contains(create).doesNotContain("TESTCANARY");
                  return null;
                });
              });
        })
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_upload_is_recorded_as_file_names_and_sizes_only(VertxTestContext test) {
    app.createBot(new JsonObject().put("name", "Uploads")).compose(bot -> {
      String botId = bot.getString("id");
      String requestId = rid("upload");
      byte[] content = Knowledge.utf8("# Hours\n\nThe vault code is 7781-secret-content.\n");
      return app.admin(HttpMethod.POST, "/api/bots/" + botId + "/documents").putHeader("X-Request-Id", requestId)
          .sendMultipartForm(io.vertx.ext.web.multipart.MultipartForm.create()
              .binaryFileUpload("file", "hours.md", Buffer.buffer(content), "text/markdown"))
          .compose(response -> {
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
            String docId = response.bodyAsJsonObject().getJsonArray("documents").getJsonObject(0).getString("id");
            return recorded(requestId).map(row -> {
              assertThat(row.getString("action")).isEqualTo("document.create");
              assertThat(row.getString("target_id")).isEqualTo(docId);
              assertThat(new JsonObject(row.getString("changes"))).isEqualTo(new JsonObject().put("files",
                  new JsonArray().add(new JsonObject().put("name", "hours.md").put("size", content.length)
                      .put("document_id", docId))));
              assertThat(row.encode()).doesNotContain("secret-content");
              return null;
            });
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void reads_refusals_and_failed_writes_leave_no_entry(VertxTestContext test) {
    String read = rid("read");
    String notFound = rid("not-found");
    String invalid = rid("invalid");
    String unauthorized = rid("unauthorized");
    String sentinel = rid("sentinel");
    expect(send(HttpMethod.GET, "/api/bots", null, read), 200)
        .compose(r -> expect(send(HttpMethod.DELETE, "/api/bots/bot_doesnotexist", null, notFound), 404))
        .compose(r -> expect(send(HttpMethod.POST, "/api/bots", new JsonObject().put("temperature", "hot"), invalid), 422))
        .compose(r -> expect(app.client.post("/api/bots").putHeader("Authorization", "Bearer wrong-token-wrong-token")
            .putHeader("X-Request-Id", unauthorized).sendJsonObject(new JsonObject().put("name", "x")), 401))
        .compose(r -> expect(send(HttpMethod.POST, "/api/bots", new JsonObject().put("name", "Sentinel"), sentinel), 201))
        .compose(r -> recorded(sentinel))
        .compose(row -> Future.all(rows(read), rows(notFound), rows(invalid), rows(unauthorized)))
        .map(all -> {
          for (int i = 0; i < 4; i++) {
            assertThat(all.<List<JsonObject>>resultAt(i)).isEmpty();
          }
          return null;
        })
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void the_audit_api_filters_pages_and_refuses_bad_filters(VertxTestContext test) {
    long start = System.currentTimeMillis() - 1;
    String[] requestIds = {rid("page-0"), rid("page-1"), rid("page-2")};
    app.createBot(new JsonObject().put("name", "Paged")).compose(bot -> {
      String botId = bot.getString("id");
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < 3; i++) {
        String requestId = requestIds[i];
        int n = i;
        chain = chain.compose(v -> expect(send(HttpMethod.PUT, "/api/bots/" + botId,
            new JsonObject().put("temperature", 0.1 * n), requestId), 200)).compose(r -> recorded(requestId)).mapEmpty();
      }
      String filters = "/api/audit?target=bot:" + botId + "&action=bot.update&since="
          + java.time.Instant.ofEpochMilli(start) + "&until=" + (System.currentTimeMillis() + 60_000) + "&limit=2";
      return chain.compose(v -> app.admin(HttpMethod.GET, filters).send()).compose(first -> {
        assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(200);
        JsonObject page = first.bodyAsJsonObject();
        assertThat(requestIdsOf(page)).containsExactly(requestIds[2], requestIds[1]);
        String cursor = page.getString("next_cursor");
        return app.admin(HttpMethod.GET, filters + "&cursor=" + cursor).send().compose(second -> {
          assertThat(second.statusCode()).isEqualTo(200);
          assertThat(requestIdsOf(second.bodyAsJsonObject())).containsExactly(requestIds[0]);
          assertThat(second.bodyAsJsonObject().getValue("next_cursor")).isNull();
          String tampered = (cursor.charAt(0) == 'A' ? "B" : "A") + cursor.substring(1);
          return Future.all(List.of(
              app.admin(HttpMethod.GET, filters + "&cursor=" + tampered).send(),
              app.admin(HttpMethod.GET, "/api/audit?cursor=" + cursor).send(),
              app.admin(HttpMethod.GET, "/api/audit?since=yesterday").send(),
              app.admin(HttpMethod.GET, "/api/audit?until=2026-12-05T10:00:00").send(),
              app.admin(HttpMethod.GET, "/api/audit?limit=201").send(),
              app.admin(HttpMethod.GET, "/api/audit?action=bot.update&action=bot.delete").send(),
              app.admin(HttpMethod.GET, "/api/audit?action=%25").send()));
        });
      });
    }).map(all -> {
      List<String> codes = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        HttpResponse<Buffer> response = all.resultAt(i);
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(400);
        codes.add(response.bodyAsJsonObject().getJsonObject("error").getString("code"));
      }
      assertThat(codes).containsExactly("invalid_cursor", "invalid_cursor", "invalid_parameter", "invalid_parameter",
          "invalid_parameter", "invalid_parameter", "invalid_parameter");
      return null;
    }).onComplete(test.succeedingThenComplete());
  }

  private static List<String> requestIdsOf(JsonObject page) {
    return page.getJsonArray("entries").stream().map(e -> ((JsonObject) e).getString("request_id")).toList();
  }

  @Test
  void no_route_changes_or_removes_an_entry_and_reading_needs_the_admin_token(VertxTestContext test) {
    Future.all(List.of(
            app.admin(HttpMethod.PUT, "/api/audit").sendJsonObject(new JsonObject()),
            app.admin(HttpMethod.POST, "/api/audit").sendJsonObject(new JsonObject()),
            app.admin(HttpMethod.DELETE, "/api/audit").send(),
            app.admin(HttpMethod.PATCH, "/api/audit").sendJsonObject(new JsonObject()),
            app.admin(HttpMethod.DELETE, "/api/audit/1").send(),
            app.admin(HttpMethod.PUT, "/api/audit/1").sendJsonObject(new JsonObject()),
            app.client.get("/api/audit").send(),
            app.client.get("/api/audit").putHeader("Authorization", "Bearer not-the-admin-token-at-all").send()))
        .map(all -> {
          List<Integer> statuses = new ArrayList<>();
          for (int i = 0; i < all.size(); i++) {
            statuses.add(all.<HttpResponse<Buffer>>resultAt(i).statusCode());
          }
          // the access table has no row for them: refused before routing, whoever asks
          assertThat(statuses).containsExactly(403, 403, 403, 403, 403, 403, 401, 401);
          return null;
        })
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_failing_audit_store_never_fails_the_write(VertxTestContext test) {
    String refused = rid("store-down");
    String later = rid("store-back");
    app.createBot(new JsonObject().put("name", "Resilient")).compose(bot -> {
      String botId = bot.getString("id");
      return jdbc("CREATE TRIGGER audit_log_test_refuse BEFORE INSERT ON audit_log BEGIN "
          + "SELECT RAISE(ABORT, 'refused by AuditTrailTest'); END")
          .compose(v -> expect(send(HttpMethod.PUT, "/api/bots/" + botId, new JsonObject().put("name", "Still saved"),
              refused), 200))
          .compose(r -> app.vertx.timer(1_000))
          .eventually(() -> jdbc("DROP TRIGGER audit_log_test_refuse"))
          .compose(v -> app.admin(HttpMethod.GET, "/api/bots/" + botId).send())
          .compose(saved -> {
            assertThat(saved.bodyAsJsonObject().getString("name")).isEqualTo("Still saved");
            return expect(send(HttpMethod.PUT, "/api/bots/" + botId, new JsonObject().put("name", "Recorded"), later), 200);
          })
          .compose(r -> recorded(later))
          .compose(row -> rows(refused))
          .map(none -> {
            assertThat(none).isEmpty();
            return null;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  private static Future<Void> jdbc(String sql) {
    return app.vertx.executeBlocking(() -> {
      try (Connection connection = app.jdbc(); Statement statement = connection.createStatement()) {
        statement.execute(sql);
      }
      return null;
    });
  }

  /**
   * A client that hangs up before the answer cannot make an unrecorded change: the entry is written when the
   * handler answers. On a router of the test's own, an admin write that takes 300 ms, and a client gone after 50.
   */
  @Test
  void a_write_whose_client_hung_up_is_still_recorded(VertxTestContext test) {
    AuditTrail trail = new AuditTrail(new AuditClient(new Bus(app.vertx), Timeouts.from(null)), new ClientAddress(null));
    Router router = Router.router(app.vertx);
    router.route().handler(new RequestIds());
    router.route("/api/*").handler(trail);
    router.route("/api/*").handler(ctx -> {
      ctx.put(Principal.KEY, Principal.BOOTSTRAP);
      ctx.next();
    });
    router.post("/api/widgets").handler(ctx -> app.vertx.timer(300)
        .onComplete(v -> Replies.json(ctx, 201, new JsonObject().put("id", "wdg_1"))));
    String requestId = rid("hung-up");
    app.vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").compose(server ->
        dev.parley.testing.RawHttp.exchange(app.vertx, server.actualPort(), "POST /api/widgets HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\nX-Request-Id: " + requestId + "\r\nContent-Length: 0\r\n\r\n", 50)
            .compose(answer -> {
              assertThat(answer).as("the client left before the answer").isEmpty();
              return recorded(requestId);
            })
            .map(row -> {
              assertThat(row.getString("action")).isEqualTo("widget.create");
              assertThat(row.getString("target_id")).isEqualTo("wdg_1");
              return null;
            })
            .eventually(server::close))
        .onComplete(test.succeedingThenComplete());
  }

  /**
   * A sign-in route as the accounts work will mount it, on a router of the test's own with the real trail: a
   * success records {@code auth.login} once (not a second time as a write), a refusal {@code auth.login_failed}
   * by an anonymous actor with the attempted email as its target and the password redacted.
   */
  @Test
  void sign_ins_and_failed_sign_ins_are_recorded_through_the_trail(VertxTestContext test) {
    AuditTrail trail = new AuditTrail(new AuditClient(new Bus(app.vertx), Timeouts.from(null)), new ClientAddress(null));
    Router router = Router.router(app.vertx);
    router.route().handler(new RequestIds());
    router.route("/api/*").handler(trail);
    router.route().handler(BodyHandler.create(false));
    router.post("/api/auth/login").handler(ctx -> {
      JsonObject body = JsonBodies.object(ctx);
      String email = body.getString("email");
      if ("a long right password".equals(body.getString("password"))) {
        ctx.put(Principal.KEY, new Principal("user", "usr_ann", null, email, "Ann", Role.ADMIN, null));
        trail.record(ctx, "auth.login", "user", "usr_ann", null)
            .onComplete(v -> Replies.json(ctx, 200, new JsonObject().put("id", "usr_ann")));
      } else {
        trail.recordFailure(ctx, "auth.login_failed", "user", email, body)
            .onComplete(v -> ctx.response().setStatusCode(401).end());
      }
    });
    String success = rid("login");
    String failure = rid("login-failed");
    app.vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").compose(server -> {
      WebClient client = WebClient.create(app.vertx);
      int port = server.actualPort();
      return client.post(port, "127.0.0.1", "/api/auth/login").putHeader("X-Request-Id", success)
          .sendJsonObject(new JsonObject().put("email", "ann@example.com").put("password", "a long right password"))
          .compose(ok -> {
            assertThat(ok.statusCode()).isEqualTo(200);
            return client.post(port, "127.0.0.1", "/api/auth/login").putHeader("X-Request-Id", failure)
                .sendJsonObject(new JsonObject().put("email", "mallory@example.com").put("password", "guess-TESTCANARY"));
          })
          .compose(refused -> {
            assertThat(refused.statusCode()).isEqualTo(401);
            return recorded(success);
          })
          .compose(row -> {
            assertThat(row.getString("action")).isEqualTo("auth.login");
            assertThat(row.getString("actor_kind")).isEqualTo("user");
            assertThat(row.getString("actor_role")).isEqualTo("admin");
            assertThat(row.getString("target_id")).isEqualTo("usr_ann");
            assertThat(row.getString("outcome")).isEqualTo("success");
            return recorded(failure);
          })
          .compose(row -> {
            assertThat(row.getString("action")).isEqualTo("auth.login_failed");
            assertThat(row.getString("actor_kind")).isEqualTo("anonymous");
            assertThat(row.getValue("actor_role")).isNull();
            assertThat(row.getString("target_id")).isEqualTo("mallory@example.com");
            assertThat(row.getString("outcome")).isEqualTo("failure");
            assertThat(new JsonObject(row.getString("changes"))).isEqualTo(new JsonObject()
                .put("email", "mallory@example.com").put("password", "[redacted]"));
            return server.close();
          })
          .eventually(() -> {
            client.close();
            return Future.succeededFuture();
          });
    }).onComplete(test.succeedingThenComplete());
  }
}
