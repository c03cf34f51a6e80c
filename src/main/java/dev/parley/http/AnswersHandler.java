package dev.parley.http;

import dev.parley.common.BotClient;
import dev.parley.common.Clients;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.common.RagClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * A bot's stored answers (issue 16; owned by the rag component, {@link RagClient}), behind {@link AdminAuthHandler}
 * with the permissions of its knowledge base: {@code GET /api/bots/{id}/answers} → {@code {answers, max_answers}},
 * {@code POST} {@code {question, answer, alt_questions?}} → 201 the answer, {@code GET|PUT|DELETE …/answers/{answer}},
 * {@code POST …/answers/import} ({@code text/csv}, at most {@code http.answers_import_limit_bytes}; 415 for another
 * type) → {@code {created, updated, total}} and {@code GET …/answers/export} → {@code text/csv}.
 */
final class AnswersHandler {

  static final String IMPORT = "/api/bots/:botId/answers/import";

  private final BotClient bots;
  private final RagClient rag;

  AnswersHandler(Clients clients) {
    this.bots = clients.bots();
    this.rag = clients.rag();
  }

  /** The import's own body limit, mounted before the general one ({@code answers_import_limit_bytes}, 1 MiB). */
  static void mountBodyLimit(Router router, JsonObject config) {
    router.post(IMPORT).handler(BodyHandler.create(false)
        .setBodyLimit(config.getLong("answers_import_limit_bytes", 1024L * 1024)));
  }

  void mount(Router router) {
    router.get("/api/bots/:botId/answers").handler(this::list);
    router.post("/api/bots/:botId/answers").handler(this::create);
    // before :answerId, which would take "export" and "import" for ids
    router.get("/api/bots/:botId/answers/export").handler(this::export);
    router.post(IMPORT).handler(this::importCsv);
    router.get("/api/bots/:botId/answers/:answerId").handler(this::get);
    router.put("/api/bots/:botId/answers/:answerId").handler(this::update);
    router.delete("/api/bots/:botId/answers/:answerId").handler(this::delete);
  }

  private void list(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    String requestId = RequestIds.get(ctx);
    bots.get(requestId, botId).compose(bot -> rag.answers(requestId, botId)).onComplete(Replies.json(ctx, 200, a -> a));
  }

  private void create(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    JsonObject body = JsonBodies.object(ctx);
    String requestId = RequestIds.get(ctx);
    bots.get(requestId, botId).compose(bot -> rag.createAnswer(requestId, botId, body))
        .onComplete(Replies.json(ctx, 201, answer -> {
          ctx.response().putHeader("Location", "/api/bots/" + botId + "/answers/" + answer.getString("id"));
          return answer;
        }));
  }

  private void get(RoutingContext ctx) {
    rag.answer(RequestIds.get(ctx), BotsHandler.botId(ctx), answerId(ctx)).onComplete(Replies.json(ctx, 200, a -> a));
  }

  private void update(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    String answerId = answerId(ctx);
    rag.updateAnswer(RequestIds.get(ctx), botId, answerId, JsonBodies.object(ctx))
        .onComplete(Replies.json(ctx, 200, a -> a));
  }

  private void delete(RoutingContext ctx) {
    rag.deleteAnswer(RequestIds.get(ctx), BotsHandler.botId(ctx), answerId(ctx)).onComplete(Replies.noContent(ctx));
  }

  private void importCsv(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    if (!JsonBodies.hasType(ctx, "text/csv")) {
      throw new ParleyException(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
          "Send the answers as text/csv with the header question,answer,alt_questions");
    }
    String csv = ctx.body().asString("UTF-8");
    String requestId = RequestIds.get(ctx);
    bots.get(requestId, botId).compose(bot -> rag.importAnswers(requestId, botId, csv == null ? "" : csv))
        .onComplete(Replies.json(ctx, 200, done -> done));
  }

  private void export(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    String requestId = RequestIds.get(ctx);
    bots.get(requestId, botId).compose(bot -> rag.exportAnswers(requestId, botId)).onComplete(csv -> {
      if (csv.failed()) {
        Replies.fail(ctx, csv.cause());
        return;
      }
      ctx.response().setStatusCode(200).putHeader("Content-Type", "text/csv; charset=utf-8")
          .putHeader("Content-Disposition", "attachment; filename=\"answers-" + botId + ".csv\"")
          .putHeader("Cache-Control", "no-store");
      Replies.end(ctx.response(), csv.result());
    });
  }

  private static String answerId(RoutingContext ctx) {
    return Ids.requireEntityId(ctx.pathParam("answerId"), "Answer");
  }
}
