package dev.parley.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A long-lived server-sent-events stream read as it arrives (a visitor channel): its events with their ids, waited for
 * with {@link #until}; {@link #close} drops the connection as a browser leaving the page does.
 */
public final class SseChannel {

  /** One event: its {@code id:} (null for none), name and data. */
  public record Event(String id, String name, JsonObject data) {
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final List<Event> events = new ArrayList<>();
  private final StringBuilder pending = new StringBuilder();
  private HttpClientResponse response;
  private boolean ended;

  private SseChannel(Vertx vertx, HttpClient client) {
    this.vertx = vertx;
    this.client = client;
  }

  /** Opens {@code path} on {@code port} with {@code headers}; completes with the channel once the response began. */
  public static Future<SseChannel> open(Vertx vertx, int port, String path, MultiMap headers) {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    SseChannel channel = new SseChannel(vertx, client);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setURI(path)
        .putHeader("Accept", "text/event-stream");
    if (headers != null) {
      options.setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(headers).add("Accept", "text/event-stream"));
    }
    // the handlers are set on the event loop as the response arrives, before its first event can be delivered
    return client.request(options).compose(request -> request.send().map(response -> {
      channel.response = response;
      response.handler(buffer -> channel.accept(buffer.toString()));
      response.endHandler(v -> channel.ended = true);
      response.exceptionHandler(e -> channel.ended = true);
      return channel;
    })).onFailure(failed -> client.close());
  }

  public int status() {
    return response.statusCode();
  }

  public HttpClientResponse response() {
    return response;
  }

  public synchronized List<Event> events() {
    return List.copyOf(events);
  }

  public synchronized boolean ended() {
    return ended;
  }

  /** Completes once an event matching {@code condition} has arrived. */
  public Future<Void> until(Predicate<List<Event>> condition) {
    return Await.until(vertx, () -> condition.test(events()));
  }

  /** The text of the deltas of the answer {@code messageId} received so far, in order. */
  public String answer(String messageId) {
    StringBuilder text = new StringBuilder();
    for (Event event : events()) {
      if (event.name().equals("delta") && messageId.equals(event.data().getString("message_id"))) {
        text.append(event.data().getString("text"));
      }
    }
    return text.toString();
  }

  /** The names of the events received so far. */
  public List<String> names() {
    return events().stream().map(Event::name).toList();
  }

  /** The last {@code id:} received, as a reconnecting browser sends it back. */
  public String lastId() {
    String last = null;
    for (Event event : events()) {
      if (event.id() != null) {
        last = event.id();
      }
    }
    return last;
  }

  public Future<Void> close() {
    return client.close();
  }

  private synchronized void accept(String chunk) {
    pending.append(chunk);
    int end;
    while ((end = pending.indexOf("\n\n")) >= 0) {
      String block = pending.substring(0, end);
      pending.delete(0, end + 2);
      String id = null;
      String name = null;
      StringBuilder data = new StringBuilder();
      for (String line : block.split("\n")) {
        if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        }
      }
      if (name != null) {
        events.add(new Event(id, name, new JsonObject(data.toString())));
      }
    }
  }
}
