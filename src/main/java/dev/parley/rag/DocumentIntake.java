package dev.parley.rag;

import dev.parley.common.UrlSpelling;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The documents a bot's knowledge base is given and loses: a file, a text or a URL is checked (type, content,
 * size, quota, address), its original stored and its row added pending, then queued for ingestion; several files
 * of one upload are added all or none ({@link #addFiles}); retrying, syncing and deleting a document, and forgetting
 * a deleted bot's vectors and files.
 */
final class DocumentIntake {

  /** How many of a sitemap's pages its deletion deletes at once. */
  static final int PAGES_AT_ONCE = 16;

  /** The most files one upload may add. */
  static final int MAX_FILES = 100;

  private static final Logger LOG = LoggerFactory.getLogger(DocumentIntake.class);

  private final DocumentStore store;
  private final VectorStore vectors;
  private final DocumentFiles files;
  private final UrlFetcher fetcher;
  private final IngestionQueue queue;
  private final long maxBytes;
  private final Quotas quotas;

  DocumentIntake(DocumentStore store, VectorStore vectors, DocumentFiles files, UrlFetcher fetcher,
      IngestionQueue queue, KnowledgeSettings settings) {
    this.store = store;
    this.vectors = vectors;
    this.files = files;
    this.fetcher = fetcher;
    this.queue = queue;
    this.maxBytes = settings.maxBytes();
    this.quotas = settings.quotas();
  }

  /** A new document, its row and content checked; stored pending and queued. */
  private record Accepted(Map<String, Object> row, Future<byte[]> content) {
  }

  Future<JsonObject> add(JsonObject body) {
    String botId = body.getString(Fields.BOT_ID);
    String id = Ids.prefixed("doc");
    Accepted accepted;
    try {
      accepted = accept(body, id, botId, System.currentTimeMillis());
    } catch (ParleyException refused) {
      return Future.failedFuture(refused);
    }
    Map<String, Object> row = accepted.row();
    if (row.get("size_bytes") != null && ((Number) row.get("size_bytes")).longValue() > maxBytes) {
      return Future.failedFuture(new ParleyException(ErrorCodes.PAYLOAD_TOO_LARGE, "payload_too_large",
          "The document is larger than the limit of " + maxBytes + " bytes"));
    }
    long size = row.get("size_bytes") == null ? 0 : ((Number) row.get("size_bytes")).longValue();
    return quickCheck(botId, 1, size)
        .compose(ok -> accepted.content())
        .compose(bytes -> saveAll(botId, List.of(row), Collections.singletonList(bytes), size))
        .map(saved -> DocumentStore.toJson(row))
        .onSuccess(doc -> queue.enqueue(doc.copy()));
  }

  /**
   * The files of one upload ({@code files: [{name, mime?, content}]}, at most {@value #MAX_FILES}), each checked as a
   * file document is; added all or none: a file refused (its type, its content, its size) refuses the upload with
   * its name in the message (when there are several), the quota is checked for them together, and their rows go in one transaction after
   * their originals are stored (removed again if that fails). Answers the documents, pending, in the files' order.
   */
  Future<JsonArray> addFiles(String botId, JsonArray uploads) {
    if (uploads == null || uploads.isEmpty()) {
      return Future.failedFuture(ParleyException.invalid("files", "Send one or more files"));
    }
    if (uploads.size() > MAX_FILES) {
      return Future.failedFuture(new ParleyException(ErrorCodes.PAYLOAD_TOO_LARGE, "too_many_files",
          "Send at most " + MAX_FILES + " files in one upload; this one has " + uploads.size()));
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    long size = 0;
    long now = System.currentTimeMillis();
    List<String> ids = Ids.prefixedInOrder("doc", uploads.size());
    for (int i = 0; i < uploads.size(); i++) {
      Object file = uploads.getValue(i);
      JsonObject body = (file instanceof JsonObject f ? f.copy() : new JsonObject()).put("source", "file");
      String id = ids.get(i);
      try {
        Accepted accepted = accept(body, id, botId, now);
        rows.add(accepted.row());
        contents.add(accepted.content().result());
      } catch (ParleyException refused) {
        return Future.failedFuture(uploads.size() == 1 ? refused : new ParleyException(refused.status(), refused.code(),
            "'" + body.getString("name", "file " + (i + 1)) + "': " + refused.getMessage()));
      }
      long bytes = ((Number) rows.get(i).get("size_bytes")).longValue();
      if (bytes > maxBytes) {
        return Future.failedFuture(new ParleyException(ErrorCodes.PAYLOAD_TOO_LARGE, "payload_too_large",
            (uploads.size() == 1 ? "The document" : "'" + rows.get(i).get("name") + "'") + " is larger than the limit of "
                + maxBytes + " bytes"));
      }
      size += bytes;
    }
    long total = size;
    return quickCheck(botId, rows.size(), total)
        .compose(ok -> saveAll(botId, rows, contents, total))
        .map(inserted -> {
          JsonArray documents = new JsonArray();
          for (Map<String, Object> row : rows) {
            JsonObject document = DocumentStore.toJson(row);
            queue.enqueue(document);
            documents.add(document);
          }
          return documents;
        });
  }

  /**
   * The quotas checked before anything is stored, so a full bot refuses an upload without writing its files first; the
   * check that holds is the one in the insert's transaction ({@link DocumentStore#insertWithin}).
   */
  private Future<Void> quickCheck(String botId, int documents, long bytes) {
    return store.usage(botId).compose(usage -> quotas.check(usage[0], usage[1], documents, bytes));
  }

  /**
   * Stores the originals (a null content has none: a URL's), then the rows in one transaction if the quotas leave room
   * for them ({@code bytes} in all); if any of it fails, the originals stored are removed.
   */
  private Future<Void> saveAll(String botId, List<Map<String, Object>> rows, List<byte[]> contents, long bytes) {
    List<String> ids = rows.stream().map(row -> (String) row.get("id")).toList();
    return files.save(botId, ids, contents)
        .compose(all -> store.insertWithin(quotas, botId, rows, bytes))
        .recover(failure -> Future.join(ids.stream().map(id -> files.delete(botId, id)).toList())
            .transform(removed -> Future.<Void>failedFuture(failure)));
  }

  /** The row of a new document from {@code body}'s {@code source}, or the 415/422 that refuses it. */
  private Accepted accept(JsonObject body, String id, String botId, long now) {
    String source = body.getString("source", "");
    switch (source) {
      case "file": {
        byte[] bytes = body.getBinary("content");
        String type = Extractors.typeOf(body.getString("name"), body.getString("mime"));
        if (type == null) {
          throw new ParleyException(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
              "Parley reads txt, md, html, pdf and docx files");
        }
        if (bytes == null) {
          bytes = new byte[0];
        }
        String mismatch = Extractors.mismatch(bytes, type);
        if (mismatch != null) {
          throw new ParleyException(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", mismatch);
        }
        return new Accepted(stored(id, botId, now, source, DocumentRows.name(body.getString("name"), "upload." + type),
            Extractors.mimeOf(type), bytes.length), Future.succeededFuture(bytes));
      }
      case "text": {
        Object text = body.getValue(Fields.TEXT);
        if (!(text instanceof String s)) {
          throw ParleyException.invalid("text", "'text' must be a string");
        }
        Object name = body.getValue("name");
        if (!(name instanceof String n) || n.isBlank()) {
          throw ParleyException.invalid("name", "'name' must be a non-empty string");
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return new Accepted(stored(id, botId, now, source, DocumentRows.name(n, "text"), Extractors.mimeOf("md"),
            bytes.length), Future.succeededFuture(bytes));
      }
      case "url": {
        Object url = body.getValue("url");
        if (!(url instanceof String u) || u.length() > 2000) {
          throw ParleyException.invalid("url", "'url' must be an http or https URL");
        }
        URI uri = UrlSpelling.parse(u);
        return new Accepted(DocumentRows.url(id, botId, now, uri, body.getString("name"), null),
            fetcher.check(uri).map(address -> (byte[]) null));
      }
      default:
        throw ParleyException.invalid("source", "'source' must be file, text or url");
    }
  }

  /** The row of a file or text document, whose bytes Parley keeps. */
  private static Map<String, Object> stored(String id, String botId, long now, String source, String name, String mime,
      long size) {
    Map<String, Object> row = DocumentRows.pending(id, botId, now);
    row.put("source", source);
    row.put("url", null);
    row.put("parent_id", null);
    row.put("name", name);
    row.put("mime", mime);
    row.put("size_bytes", size);
    return row;
  }

  /**
   * The page of the bot's documents {@code query} selects and how many it has in each status; with
   * {@code updated_since}, also the ids of the documents deleted since ({@link DocumentStore#deletedSince}).
   */
  Future<JsonObject> list(String botId, DocumentQuery query) {
    long asOf = System.currentTimeMillis();
    Future<List<String>> deleted = query.updatedSince() == null ? Future.succeededFuture()
        : store.deletedSince(botId, query.updatedSince(), DocumentQuery.MAX_LIMIT);
    return Future.all(store.page(botId, query), store.counts(botId), deleted).map(all -> {
      JsonObject page = all.<JsonObject>resultAt(0).put("counts", all.<JsonObject>resultAt(1)).put("as_of", asOf);
      if (query.updatedSince() != null) {
        List<String> ids = all.resultAt(2);
        page.put("deleted", ids == null ? null : new JsonArray(ids));
      }
      return page;
    });
  }

  Future<JsonObject> get(String botId, String id) {
    return store.get(botId, id);
  }

  /**
   * Deletes a document (a sitemap with its pages): its vectors, then its row, then its file; one being processed
   * stops. The vectors go first: if the vector store refuses, the document stays listed and a second delete removes
   * them (with the row gone first, its passages stayed searchable and the document could no longer be deleted).
   */
  Future<Void> delete(String botId, String id) {
    return store.get(botId, id)
        .compose(doc -> store.children(id))
        .compose(children -> deleteAll(botId, children.stream().map(page -> ((JsonObject) page).getString("id")).toList()))
        .compose(pages -> {
          queue.cancel(id);
          return vectors.deleteDocument(id);
        })
        .compose(v -> store.delete(id))
        .compose(deleted -> files.delete(botId, id));
  }

  /**
   * Deletes the documents {@code ids} of a bot (a sitemap's pages), {@link #PAGES_AT_ONCE} at a time: each is a
   * vector-store request and a few statements, and a sitemap may hold 10,000 pages (all at once, they waited in the
   * vector store client's and the database pool's queues together). Every one is tried; the first failure is answered
   * once all have been.
   */
  Future<Void> deleteAll(String botId, List<String> ids) {
    Promise<Void> done = Promise.promise();
    deleteGroups(botId, ids, 0, null, done);
    return done.future();
  }

  /** One group, then the next from its callback: no future chain grows with the number of groups. */
  private void deleteGroups(String botId, List<String> ids, int from, Throwable failed, Promise<Void> done) {
    if (from >= ids.size()) {
      if (failed == null) {
        done.complete();
      } else {
        done.fail(failed);
      }
      return;
    }
    List<Future<Void>> group = new ArrayList<>(PAGES_AT_ONCE);
    for (int i = from; i < Math.min(ids.size(), from + PAGES_AT_ONCE); i++) {
      group.add(delete(botId, ids.get(i)));
    }
    Future.join(group).onComplete(deleted -> deleteGroups(botId, ids, from + PAGES_AT_ONCE,
        failed != null ? failed : deleted.cause(), done));
  }

  Future<JsonObject> retry(String botId, String id) {
    return store.get(botId, id).compose(doc -> {
      if (!"failed".equals(doc.getString("status"))) {
        return Future.failedFuture(new ParleyException(ErrorCodes.CONFLICT, "not_failed",
            "Only a failed document can be retried; this one is " + doc.getString("status")));
      }
      return store.reset(id).compose(v -> store.get(botId, id)).onSuccess(reset -> queue.enqueue(id));
    });
  }

  /**
   * Checks a URL or sitemap document's source again now: a page is re-embedded only if its content
   * hash changed; a sitemap gains its new pages, loses the ones no longer listed and syncs the rest.
   * 409 for a document that did not come from a URL.
   */
  Future<JsonObject> sync(String botId, String id) {
    return store.get(botId, id).compose(doc -> {
      String source = doc.getString("source");
      if (!"url".equals(source) && !"sitemap".equals(source)) {
        return Future.failedFuture(new ParleyException(ErrorCodes.CONFLICT, "not_syncable",
            "Only a document added from a URL or a sitemap can be synced; this one is a " + source));
      }
      queue.enqueue(id);
      return Future.succeededFuture(doc);
    });
  }

  /** Forgets a deleted bot: its SQL rows went with it (cascade); this removes its vectors and files. */
  Future<Void> deleteBot(String botId) {
    queue.forgetBot(botId);
    return vectors.deleteBot(botId).compose(v -> files.deleteBot(botId))
        .onSuccess(v -> LOG.info("Removed the knowledge base of deleted bot {}", botId));
  }
}
