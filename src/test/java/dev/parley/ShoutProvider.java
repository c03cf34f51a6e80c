package dev.parley;

import dev.parley.common.Addresses;
import dev.parley.common.Fields;
import dev.parley.common.ProviderAnnouncements;
import dev.parley.common.StreamEvents;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An extension that registers the provider {@code shout} (or the {@code name} in its config): it answers the last user message in
 * capitals, as a whole or word by word on the stream address, exactly as a real custom
 * provider would (deltas to {@code stream_address}, then {@code done} with the answer there, then a reply), and
 * announces its name once it serves, so bots may name it.
 */
public class ShoutProvider extends VerticleBase {

  @Override
  public Future<?> start() {
    String name = config().getString("name", "shout");
    return Future.all(
        vertx.eventBus().<JsonObject>consumer(Addresses.customProviderComplete(name),
            message -> message.reply(answer(message.body()))).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.customProviderStream(name), message -> {
          String address = message.body().getString(Fields.STREAM_ADDRESS);
          String[] words = shout(message.body()).split("(?<= )");
          for (int i = 0; i < words.length; i++) {
            vertx.eventBus().send(address, StreamEvents.delta(i, words[i]));
          }
          vertx.eventBus().send(address, StreamEvents.done(answer(message.body())));
          message.reply(new JsonObject());
        }).completion())
        .compose(serving -> ProviderAnnouncements.announce(vertx, name));
  }

  private static JsonObject answer(JsonObject request) {
    return new JsonObject().put(Fields.CONTENT, shout(request))
        .put(Fields.PROVIDER, "shout").put(Fields.MODEL, "caps-1")
        .put(Fields.USAGE, new JsonObject().put(Fields.INPUT_TOKENS, 1).put(Fields.OUTPUT_TOKENS, 1)).put(Fields.COST, 0.0);
  }

  private static String shout(JsonObject request) {
    JsonArray messages = request.getJsonArray(Fields.MESSAGES);
    return messages.getJsonObject(messages.size() - 1).getString(Fields.CONTENT).toUpperCase();
  }
}
