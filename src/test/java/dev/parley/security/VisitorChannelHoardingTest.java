package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.SseChannel;
import dev.parley.testing.TestApp;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A visitor channel stays open as long as its client keeps it, so the number an address opens per minute does not bound
 * how many it holds: one address must not hold every channel of an instance and lock other visitors out. Here an
 * instance (one here) holds 6 channels, an address 2 at once (127.0.0.1 is a trusted proxy, so {@code X-Forwarded-For}
 * names the visitor).
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class VisitorChannelHoardingTest {

  private static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("http", new JsonObject().put("instances", 1).put("trusted_proxies", new JsonArray().add("127.0.0.1"))
        .put("visitor_channels_max", 6).put("visitor_channels_per_address", 2));
  }

  @Test
  void one_address_cannot_hold_every_visitor_channel_of_an_instance() throws InterruptedException {
    String bot = Await.result(app.createBot(new JsonObject().put("name", "Hoarded").put("api_key", "sk-hoard")))
        .getString("id");
    List<SseChannel> held = new ArrayList<>();
    try {
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        SseChannel channel = Await.result(open(bot, "203.0.113.7"));
        held.add(channel);
        statuses.add(channel.status());
      }
      assertThat(statuses).containsExactly(200, 200, 429, 429, 429, 429);

      SseChannel visitor = Await.result(open(bot, "198.51.100.9"));
      held.add(visitor);
      assertThat(visitor.status()).isEqualTo(200);

      Await.result(held.get(0).close()); // the address may open one again once the server saw it go
      int again = 429;
      for (int tries = 0; again != 200 && tries < 50; tries++) {
        Thread.sleep(100);
        SseChannel channel = Await.result(open(bot, "203.0.113.7"));
        held.add(channel);
        again = channel.status();
      }
      assertThat(again).isEqualTo(200);
    } finally {
      held.forEach(SseChannel::close);
    }
  }

  private static io.vertx.core.Future<SseChannel> open(String bot, String address) {
    return SseChannel.open(app.vertx, app.port, "/api/chat/" + bot + "/session/hoard-" + UUID.randomUUID() + "/events",
        MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-For", address));
  }
}
