package dev.parley.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Server-sent events on one response; writes are dropped once the client has gone. */
final class Sse {

  private final HttpServerResponse response;
  private boolean gone;
  private Runnable onGone;

  Sse(HttpServerResponse response) {
    this.response = response;
    response.closeHandler(v -> {
      gone = true;
      if (onGone != null) {
        onGone.run();
      }
    });
  }

  /** Runs {@code action} when the client goes away before the stream ended (at once if it already has). */
  void onGone(Runnable action) {
    this.onGone = action;
    if (gone) {
      action.run();
    }
  }

  void open() {
    response.setStatusCode(200)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Accel-Buffering", "no")
        .setChunked(true);
  }

  void event(String name, JsonObject data) {
    if (!gone && !response.ended()) {
      response.write("event: " + name + "\ndata: " + data.encode() + "\n\n");
    }
  }

  /** A data-only event ({@code data: …}), as OpenAI's streams are written. */
  void data(String data) {
    if (!gone && !response.ended()) {
      response.write("data: " + data + "\n\n");
    }
  }

  /** An event with an {@code id:} line: a client that reconnects sends the last one back as {@code Last-Event-ID}. */
  void event(String id, String name, JsonObject data) {
    if (!gone && !response.ended()) {
      response.write("id: " + id + "\nevent: " + name + "\ndata: " + data.encode() + "\n\n");
    }
  }

  /** A comment line: keeps an idle stream open through proxies and the server's idle timeout. */
  void comment(String text) {
    if (!gone && !response.ended()) {
      response.write(": " + text + "\n\n");
    }
  }

  void end() {
    if (!gone && !response.ended()) {
      response.end();
    }
  }

  boolean clientGone() {
    return gone;
  }
}
