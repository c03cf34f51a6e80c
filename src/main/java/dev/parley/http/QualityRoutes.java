package dev.parley.http;

import dev.parley.chat.EvaluationQuestions;
import dev.parley.chat.EvaluationRunner;
import dev.parley.chat.KnowledgeGaps;
import dev.parley.common.Clients;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;

/**
 * Answer quality (admin, issue 16): {@code GET /api/bots/{id}/gaps?days=30} (1–{@value KnowledgeGaps#MAX_DAYS};
 * 422 otherwise) groups the visitor questions the bot's knowledge did not serve ({@link KnowledgeGaps});
 * {@code POST /api/bots/{id}/evaluations} (JSON or {@code text/csv}, checked whole by {@link EvaluationQuestions};
 * 415 for another type) starts a run ({@link EvaluationRunner}) and answers 202 {@code {eval_id, status}} with its
 * {@code Location}; {@code GET /api/bots/{id}/evaluations[/{eval_id}]} lists the runs or reads one.
 */
final class QualityRoutes {

  private final Clients clients;
  private final KnowledgeGaps gaps;
  private final EvaluationRunner runner;

  QualityRoutes(Clients clients, EvaluationRunner runner) {
    this.clients = clients;
    this.gaps = new KnowledgeGaps(clients.memory(), clients.rag());
    this.runner = runner;
  }

  void mount(Router router) {
    router.get("/api/bots/:botId/gaps").handler(this::gaps);
    router.post("/api/bots/:botId/evaluations").handler(this::start);
    router.get("/api/bots/:botId/evaluations").handler(this::list);
    router.get("/api/bots/:botId/evaluations/:evalId").handler(this::one);
  }

  private void gaps(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    int days = days(ctx.queryParams().get(Fields.DAYS));
    String requestId = RequestIds.get(ctx);
    clients.bots().get(requestId, botId)
        .compose(bot -> gaps.of(requestId, botId, days, System.currentTimeMillis()))
        .onComplete(Replies.json(ctx, 200, found -> found));
  }

  private static int days(String raw) {
    if (raw == null) {
      return 30;
    }
    try {
      int days = Integer.parseInt(raw.strip());
      if (days >= 1 && days <= KnowledgeGaps.MAX_DAYS) {
        return days;
      }
    } catch (NumberFormatException notANumber) {
      // reported below
    }
    throw ParleyException.invalid(Fields.DAYS, "'days' must be a whole number from 1 to " + KnowledgeGaps.MAX_DAYS);
  }

  private void start(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    JsonArray questions = questions(ctx);
    runner.start(RequestIds.get(ctx), botId, questions).onComplete(started -> {
      if (started.failed()) {
        Replies.fail(ctx, started.cause());
        return;
      }
      String evalId = started.result().getString(Fields.EVALUATION_ID);
      ctx.response().putHeader("Location", "/api/bots/" + botId + "/evaluations/" + evalId);
      Replies.json(ctx, 202, new JsonObject().put(Fields.EVALUATION_ID, evalId)
          .put(Fields.STATUS, started.result().getString(Fields.STATUS))
          .put("question_count", questions.size()));
    });
  }

  private static JsonArray questions(RoutingContext ctx) {
    boolean empty = ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() <= 0;
    if (JsonBodies.hasType(ctx, "text/csv")) {
      if (empty) {
        throw ParleyException.invalid("questions", "The CSV body is empty");
      }
      return EvaluationQuestions.fromCsv(ctx.body().buffer().toString(StandardCharsets.UTF_8));
    }
    if (!JsonBodies.hasType(ctx, "application/json")) {
      throw new ParleyException(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
          "Send the questions as application/json or text/csv");
    }
    if (empty) {
      throw ParleyException.badRequest("invalid_json", "The request body must be a JSON list of questions");
    }
    return EvaluationQuestions.fromJson(JsonText.valid(StrictJson.parse(ctx.body().buffer())));
  }

  private void list(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    String requestId = RequestIds.get(ctx);
    clients.bots().get(requestId, botId)
        .compose(bot -> clients.memory().evaluations(requestId, botId))
        .onComplete(Replies.json(ctx, 200, runs -> runs));
  }

  private void one(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    String evalId = Ids.requireEntityId(ctx.pathParam("evalId"), "Evaluation");
    String requestId = RequestIds.get(ctx);
    clients.bots().get(requestId, botId)
        .compose(bot -> clients.memory().evaluation(requestId, botId, evalId))
        .onComplete(Replies.json(ctx, 200, run -> run));
  }
}
