package dev.parley.http;

import dev.parley.common.Failures;
import dev.parley.common.MemoryClient;
import dev.parley.common.ParleyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one conversation export as a chunked response, a page at a time: it asks the memory component for the next
 * page ({@code parley.memory.export.page}, keyset cursor) only once the previous one is written and the response's
 * write queue has drained, so what it holds is one page whatever the export's size, and a slow client slows the
 * export instead of filling memory. A failure after the first byte cannot become a JSON error: the connection is
 * reset, so the body ends without its last chunk (clients report a truncated transfer), the JSONL count line is
 * missing, and the trailer {@code X-Export-Complete} is never sent. A client that leaves stops the export.
 */
final class ExportStream {

  private static final Logger LOG = LoggerFactory.getLogger(ExportStream.class);

  private final MemoryClient memory;
  private final HttpServerResponse response;
  private final String requestId;
  private final String botId;
  private final long since;
  private final long until;
  private final ExportFormat format;
  private long conversations;

  ExportStream(MemoryClient memory, HttpServerResponse response, String requestId, String botId, long since, long until,
      ExportFormat format) {
    this.memory = memory;
    this.response = response;
    this.requestId = requestId;
    this.botId = botId;
    this.since = since;
    this.until = until;
    this.format = format;
  }

  void start() {
    headers();
    response.write(format.head());
    next(null);
  }

  /** The export's headers alone, for a HEAD: what a GET would send, without reading a conversation. */
  void headersOnly() {
    headers();
    response.end();
  }

  private void headers() {
    response.setStatusCode(200)
        .setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, format.contentType)
        .putHeader("Content-Disposition", "attachment; filename=\"parley-" + botId + "-conversations." + format.extension + "\"")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Trailer", "X-Export-Complete, X-Export-Conversations");
  }

  private void next(JsonObject after) {
    if (response.closed()) {
      LOG.info("[{}] The export of bot {} stopped after {} conversations: the client left", requestId, botId, conversations);
      return;
    }
    memory.exportPage(requestId, botId, since, until, after).onComplete(page -> {
      if (page.failed()) {
        ParleyException error = Failures.safe(page.cause(), "conversation export");
        LOG.error("[{}] The export of bot {} failed after {} conversations ({} {}): the response is cut off", requestId,
            botId, conversations, error.status(), error.code());
        response.reset();
        return;
      }
      JsonArray found = page.result().getJsonArray("conversations");
      conversations += found.size();
      response.write(format.page(found));
      JsonObject cursor = page.result().getJsonObject("next");
      if (cursor == null) {
        response.putTrailer("X-Export-Complete", "true").putTrailer("X-Export-Conversations", String.valueOf(conversations));
        response.end(format.tail(conversations));
        LOG.info("[{}] Exported {} conversations of bot {}", requestId, conversations, botId);
      } else if (response.writeQueueFull()) {
        response.drainHandler(drained -> next(cursor));
      } else {
        next(cursor);
      }
    });
  }
}
