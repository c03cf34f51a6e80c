package dev.parley.http;

import dev.parley.chat.Caller;
import dev.parley.chat.ChatPipeline;
import dev.parley.chat.Turn;
import dev.parley.common.BotClient;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.common.UnicodeText;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Every bot as an OpenAI-compatible API, opened by its API keys ({@link BotKeyAuth}): {@code POST
 * /v1/chat/completions} with {@code model} = the bot's id runs one chat turn through the same {@link ChatPipeline}
 * as the chat page (the bot's prompt, knowledge base, limits and budget apply; the turn is stored on channel
 * {@code api}), the caller sending the conversation ({@link OpenAiRequest}); answered as a {@code chat.completion}
 * ({@link CompletionJson}) or streamed ({@link CompletionStream}). {@code GET /v1/models} and {@code GET
 * /v1/models/{id}} show the bot the key opens. A bot the key does not open is 404 {@code model_not_found}, as
 * OpenAI says of a model one has no access to. Errors in OpenAI's shape ({@link OpenAiErrors}). No CORS: a key is a
 * server's secret; the bot's per-address rate limit ({@link ChatLimits}) applies, counted with its chat page's.
 */
final class OpenAiRoutes {

  private static final String REQUEST = "parley.openai_request";

  private final BotClient bots;
  private final BotKeyAuth auth;
  private final ChatPipeline pipeline;
  private final Handler<RoutingContext> limits;

  OpenAiRoutes(BotClient bots, BotKeyAuth auth, ChatPipeline pipeline, Handler<RoutingContext> limits) {
    this.bots = bots;
    this.auth = auth;
    this.pipeline = pipeline;
    this.limits = limits;
  }

  void mount(Router router) {
    router.route("/v1/*").failureHandler(new OpenAiErrors());
    router.route("/v1/*").handler(auth);
    router.post("/v1/chat/completions").handler(this::read).handler(BotKeyAuth.loadBot(bots)).handler(limits)
        .handler(this::turn);
    router.get("/v1/models").handler(ctx -> model(ctx, BotKeyAuth.of(ctx).getString(Fields.BOT_ID), true));
    router.get("/v1/models/:model").handler(ctx -> model(ctx, ctx.pathParam("model"), false));
  }

  private void read(RoutingContext ctx) {
    OpenAiRequest request = OpenAiRequest.of(JsonBodies.object(ctx));
    if (!BotKeyAuth.opens(ctx, request.model())) {
      throw modelNotFound(request.model());
    }
    ctx.put(REQUEST, request);
    ctx.next();
  }

  private void turn(RoutingContext ctx) {
    OpenAiRequest request = ctx.get(REQUEST);
    JsonObject input = new JsonObject().put("message", request.message())
        .put(Fields.SESSION_ID, request.sessionId(BotKeyAuth.of(ctx).getString(Fields.KEY_ID)));
    Turn turn = Turn.start(RequestIds.get(ctx), ctx.get(ChatAccess.BOT), input,
        Caller.api(request.history(), request.user()));
    Completions completions = new Completions(request.model());
    pipeline.run(turn, request.stream() ? new CompletionStream(ctx, completions, request.includeUsage())
        : new CompletionJson(ctx, completions));
  }

  /** The bot the key opens as an OpenAI model: the list of it ({@code list}) or itself. */
  private void model(RoutingContext ctx, String botId, boolean list) {
    if (!BotKeyAuth.opens(ctx, botId)) {
      throw modelNotFound(botId);
    }
    bots.get(RequestIds.get(ctx), botId).onComplete(Replies.json(ctx, 200, bot -> {
      JsonObject model = new JsonObject().put("id", botId).put("object", "model")
          .put("created", bot.getLong(Fields.CREATED_AT, 0L) / 1000).put("owned_by", "parley")
          .put(Fields.NAME, bot.getString(Fields.NAME));
      return list ? new JsonObject().put("object", "list").put("data", new JsonArray().add(model)) : model;
    }));
  }

  private static ParleyException modelNotFound(String model) {
    String shown = model == null ? "" : model.length() > 64 ? UnicodeText.prefix(model, 64) + "…" : model;
    return new ParleyException(ErrorCodes.NOT_FOUND, "model_not_found",
        "The model '" + shown + "' does not exist or this API key does not open it", "model", 0);
  }
}
