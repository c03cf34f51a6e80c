package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * URL ingestion refuses every IPv6 spelling that carries an internal IPv4 address (loopback, the cloud
 * metadata address, a private network), in every embedding form a stack, translator or tunnel reads,
 * before any connection and without storing a document.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class AddressClassesTest {

  static TestApp app;
  static String botId;

  @BeforeAll
  static void bot(VertxTestContext test) {
    app.createBot(new JsonObject().put("name", "Fetcher")).onComplete(test.succeeding(bot -> {
      botId = bot.getString("id");
      test.completeNow();
    }));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      // IPv4-translated (SIIT) ::ffff:0:a.b.c.d
      "[::ffff:0:7f00:1]", "[::ffff:0:127.0.0.1]", "[::ffff:0:a9fe:a9fe]", "[::ffff:0:a00:1]",
      // IPv4-mapped and IPv4-compatible
      "[::ffff:169.254.169.254]", "[::ffff:a00:1]", "[::169.254.169.254]", "[::a00:1]",
      // NAT64 well-known prefix, and the local-use prefix whatever it carries
      "[64:ff9b::a9fe:a9fe]", "[64:ff9b::10.0.0.1]", "[64:ff9b:1::7f00:1]", "[64:ff9b:1:5db8:d7:e00::]",
      "[64:ff9b:1::5db8:d70e]",
      // 6to4
      "[2002:a9fe:a9fe::1]", "[2002:c0a8:101::]", "[2002:7f00:1:0:0:0:0:1]",
      // Teredo: client address obfuscated (every bit inverted), or an internal server
      "[2001:0:5db8:d70e:0:0:80ff:fffe]", "[2001:0:5db8:d70e::5601:5601]", "[2001:0:5db8:d70e::f5ff:fffe]",
      "[2001:0:a00:1:0:0:a2ff:28f1]",
      // ISATAP interface ids under a public prefix
      "[2001:db8:1::5efe:7f00:1]", "[2001:db8:1:0:200:5efe:a9fe:a9fe]", "[2600:1f00::5efe:10.0.0.1]",
      // discard-only
      "[100::1]"})
  void an_ipv6_address_carrying_an_internal_ipv4_address_is_refused(String host, VertxTestContext test) {
    app.admin(HttpMethod.POST, "/api/bots/" + botId + "/documents")
        .sendJsonObject(new JsonObject().put("url", "http://" + host + "/latest/meta-data/"))
        .compose(response -> {
          test.verify(() -> {
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(422);
            assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("url_not_allowed");
          });
          return app.admin(HttpMethod.GET, "/api/bots/" + botId + "/documents").send();
        })
        .onComplete(test.succeeding(list -> test.verify(() -> {
          assertThat(list.bodyAsJsonObject().getJsonArray("documents")).as("nothing stored").isEmpty();
          test.completeNow();
        })));
  }
}
