package dev.parley.http;

import dev.parley.common.BotClient;
import dev.parley.common.Clients;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.common.RagClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The admin knowledge-base API (behind {@link AdminAuthHandler}):
 * {@code POST /api/bots/{id}/documents} (multipart files, JSON {@code {name, text}} or {@code {url}}; 202
 * with {@code {documents:[…]}}), {@code GET /api/bots/{id}/documents[/{doc}]} (the list takes
 * {@code ?status=&q=&updated_since=&limit=&order=&cursor=}, checked by the knowledge base),
 * {@code DELETE /api/bots/{id}/documents/{doc}} (204), {@code POST /api/bots/{id}/documents/{doc}/retry} (202),
 * {@code POST /api/bots/{id}/documents/{doc}/sync} (202, URL and sitemap documents),
 * {@code POST /api/bots/{id}/reindex[?all=true]} (202: re-embed with the configured embedding model)
 * and {@code POST /api/bots/{id}/search} {@code {query, top_k?, min_score?, mode?}} → {@code {results:[…], nothing_found}}.
 * Files must be txt, md, html, pdf or docx (415 otherwise); the upload body limit is
 * {@code http.upload_limit_bytes} (413). The files of one multipart upload (up to 100, 413 {@code too_many_files})
 * are added all or none: one refused refuses the upload, naming it.
 */
final class DocumentsHandler {

  /** The most files one upload may add (the knowledge base's limit too). */
  private static final int MAX_FILES = 100;
  /** The most passages a search preview shows, as {@code parley.rag.search} allows. */
  private static final int MAX_TOP_K = 50;

  private static final Set<String> EXTENSIONS = Set.of("txt", "text", "md", "markdown", "html", "htm", "pdf", "docx");

  private final BotClient bots;
  private final RagClient rag;

  DocumentsHandler(Clients clients) {
    this.bots = clients.bots();
    this.rag = clients.rag();
  }

  void mount(Router router) {
    router.post("/api/bots/:botId/documents").handler(this::add);
    router.get("/api/bots/:botId/documents").handler(this::list);
    router.get("/api/bots/:botId/documents/:docId").handler(this::get);
    router.delete("/api/bots/:botId/documents/:docId").handler(this::delete);
    router.post("/api/bots/:botId/documents/:docId/retry").handler(this::retry);
    router.post("/api/bots/:botId/documents/:docId/sync").handler(this::sync);
    router.post("/api/bots/:botId/search").handler(this::search);
    router.post("/api/bots/:botId/reindex").handler(this::reindex);
  }

  private void add(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    String type = ctx.request().getHeader("Content-Type");
    type = type == null ? "" : type.toLowerCase(Locale.ROOT);
    String requestId = RequestIds.get(ctx);
    if (type.startsWith("multipart/form-data")) {
      List<FileUpload> files = ctx.fileUploads();
      if (files.isEmpty()) {
        throw ParleyException.badRequest("no_files", "Send one or more files in a multipart/form-data body");
      }
      for (FileUpload file : files) {
        if (!supported(file.fileName())) {
          throw new ParleyException(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
              "'" + file.fileName() + "' is not a txt, md, html, pdf or docx file");
        }
      }
      if (files.size() > MAX_FILES) {
        throw new ParleyException(ErrorCodes.PAYLOAD_TOO_LARGE, "too_many_files",
            "Send at most " + MAX_FILES + " files in one upload; this one has " + files.size());
      }
      bots.get(requestId, botId)
          .compose(bot -> read(ctx, files))
          .compose(contents -> rag.addFiles(requestId, botId, contents))
          .onComplete(Replies.json(ctx, 202, docs -> new JsonObject().put(Fields.DOCUMENTS, docs)));
      return;
    }
    JsonObject body = JsonBodies.object(ctx);
    JsonObject request = new JsonObject().put(Fields.BOT_ID, botId).put("name", body.getValue("name"));
    if (body.containsKey("url")) {
      request.put("source", "url").put("url", body.getValue("url"));
    } else if (body.containsKey("text")) {
      request.put("source", "text").put("text", body.getValue("text"));
    } else {
      throw ParleyException.invalid("text", "Send {name, text} or {url}, or upload files as multipart/form-data");
    }
    bots.get(requestId, botId)
        .compose(bot -> rag.add(requestId, request))
        .onComplete(Replies.json(ctx, 202, doc -> {
          ctx.response().putHeader("Location", "/api/bots/" + botId + "/documents/" + doc.getString("id"));
          return new JsonObject().put(Fields.DOCUMENTS, new JsonArray().add(doc));
        }));
  }

  /** The uploaded files as the knowledge base takes them: {@code [{name, mime, content}]}, in their order. */
  private static Future<JsonArray> read(RoutingContext ctx, List<FileUpload> files) {
    List<Future<io.vertx.core.buffer.Buffer>> reads = new ArrayList<>();
    for (FileUpload file : files) {
      reads.add(ctx.vertx().fileSystem().readFile(file.uploadedFileName()));
    }
    return Future.all(reads).map(all -> {
      JsonArray out = new JsonArray();
      for (int i = 0; i < files.size(); i++) {
        out.add(new JsonObject().put("name", files.get(i).fileName()).put("mime", files.get(i).contentType())
            .put("content", all.<io.vertx.core.buffer.Buffer>resultAt(i).getBytes()));
      }
      return out;
    });
  }

  private static boolean supported(String fileName) {
    String name = fileName == null ? "" : fileName.toLowerCase(Locale.ROOT);
    int dot = name.lastIndexOf('.');
    return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1));
  }

  private void list(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    String requestId = RequestIds.get(ctx);
    JsonObject filters = new JsonObject();
    List<String> statuses = ctx.queryParams().getAll("status");
    if (!statuses.isEmpty()) {
      filters.put("status", String.join(",", statuses));
    }
    filters.put("q", QueryParams.single(ctx, "q"));
    filters.put("cursor", QueryParams.single(ctx, "cursor"));
    filters.put("order", QueryParams.single(ctx, "order"));
    filters.put("updated_since", QueryParams.time(ctx, "updated_since"));
    if (QueryParams.single(ctx, "limit") != null) {
      filters.put("limit", QueryParams.whole(ctx, "limit", 0, 1, 1000));
    }
    bots.get(requestId, botId)
        .compose(bot -> rag.documents(requestId, botId, filters))
        .onComplete(Replies.json(ctx, 200, page -> page));
  }

  private void get(RoutingContext ctx) {
    rag.get(RequestIds.get(ctx), BotsHandler.botId(ctx), docId(ctx))
        .onComplete(Replies.json(ctx, 200, doc -> doc));
  }

  private void delete(RoutingContext ctx) {
    rag.delete(RequestIds.get(ctx), BotsHandler.botId(ctx), docId(ctx))
        .onComplete(Replies.noContent(ctx));
  }

  private void retry(RoutingContext ctx) {
    rag.retry(RequestIds.get(ctx), BotsHandler.botId(ctx), docId(ctx))
        .onComplete(Replies.json(ctx, 202, doc -> doc));
  }

  private void sync(RoutingContext ctx) {
    rag.sync(RequestIds.get(ctx), BotsHandler.botId(ctx), docId(ctx))
        .onComplete(Replies.json(ctx, 202, doc -> doc));
  }

  private void reindex(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    String all = ctx.queryParams().get("all");
    if (all != null && !all.equals("true") && !all.equals("false")) {
      throw ParleyException.badRequest("invalid_parameter", "'all' must be true or false");
    }
    String requestId = RequestIds.get(ctx);
    bots.get(requestId, botId)
        .compose(bot -> rag.reindex(requestId, botId, "true".equals(all)))
        .onComplete(Replies.json(ctx, 202, status -> status));
  }

  private void search(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    JsonObject body = JsonBodies.object(ctx);
    Object query = body.getValue(Fields.QUERY);
    if (!(query instanceof String q) || q.isBlank()) {
      throw ParleyException.invalid("query", "'query' must be a non-empty string");
    }
    Object topK = body.getValue(Fields.TOP_K);
    if (topK != null && !(topK instanceof Integer k && k >= 1 && k <= MAX_TOP_K)) {
      // a fraction, or a number past an int that intValue() would wrap into the range, is not a top_k
      throw ParleyException.invalid(Fields.TOP_K, "'top_k' must be a whole number from 1 to " + MAX_TOP_K);
    }
    Object mode = body.getValue(Fields.MODE);
    if (mode != null && !(mode instanceof String)) {
      throw ParleyException.invalid("mode", "'mode' must be hybrid, vector or bm25");
    }
    String requestId = RequestIds.get(ctx);
    bots.get(requestId, botId).compose(bot -> {
      JsonObject settings = bot.getJsonObject("rag", new JsonObject());
      double minScore = number(body, Fields.MIN_SCORE, settings.getDouble("min_score", 0.0)).doubleValue();
      return rag.retrieve(requestId, botId, q, topK == null ? settings.getInteger("top_k", 4) : (Integer) topK, minScore,
          (String) mode);
    }).onComplete(Replies.json(ctx, 200, found -> new JsonObject().put(Fields.RESULTS, found.getJsonArray(Fields.RESULTS))
        .put(Fields.NOTHING_FOUND, found.getBoolean(Fields.NOTHING_FOUND, false))));
  }

  private static Number number(JsonObject body, String field, Number fallback) {
    Object value = body.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number n)) {
      throw ParleyException.invalid(field, "'" + field + "' must be a number");
    }
    return n;
  }

  private static String docId(RoutingContext ctx) {
    return Ids.requireEntityId(ctx.pathParam("docId"), "Document");
  }
}
