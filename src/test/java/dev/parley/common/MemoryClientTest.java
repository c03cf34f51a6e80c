package dev.parley.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link MemoryClient#append} against a memory handler that does not answer in time: a turn that brings its
 * message ids is sent again (storing it twice is impossible), one without is not.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class MemoryClientTest {

  private static final long TIMEOUT_MS = 300;

  @Test
  void an_append_that_timed_out_is_sent_again_with_the_same_ids_and_a_new_deadline(Vertx vertx,
      VertxTestContext test) {
    List<JsonObject> received = new ArrayList<>();
    BusHandlers.register(vertx, Addresses.MEMORY_APPEND, turn -> {
      received.add(turn.copy());
      // the first request is never answered, as if its node froze after the commit
      return received.size() == 1 ? Promise.<JsonObject>promise().future()
          : Future.succeededFuture(new JsonObject().put(Fields.MESSAGE_ID, "a-1"));
    }).compose(v -> client(vertx).append("memory-client", turn("u-1", "a-1"))).map(stored -> {
      assertThat(stored.getString(Fields.MESSAGE_ID)).isEqualTo("a-1");
      assertThat(received).hasSize(2);
      assertThat(received.get(1).getJsonObject(Fields.USER).getString(Fields.ID)).isEqualTo("u-1");
      assertThat(received.get(1).getLong(Fields.DEADLINE)).isGreaterThan(received.get(0).getLong(Fields.DEADLINE));
      return null;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_append_without_ids_is_not_sent_again_and_gives_up_after_nine_attempts_with_them(Vertx vertx,
      VertxTestContext test) {
    List<JsonObject> received = new ArrayList<>();
    BusHandlers.register(vertx, Addresses.MEMORY_APPEND, turn -> {
      received.add(turn);
      return Promise.<JsonObject>promise().future();
    }).compose(v -> client(vertx).append("memory-client", turn(null, null)).<Void>transform(result -> {
      assertThat(result.failed()).isTrue();
      assertThat(((ParleyException) result.cause()).status()).isEqualTo(504);
      assertThat(received).as("attempts for a turn without ids").hasSize(1);
      return client(vertx).append("memory-client", turn("u-2", "a-2")).transform(again -> {
        assertThat(again.failed()).isTrue();
        assertThat(received).as("attempts in all").hasSize(10);
        return Future.succeededFuture();
      });
    })).onComplete(test.succeedingThenComplete());
  }

  private static MemoryClient client(Vertx vertx) {
    return new MemoryClient(new Bus(vertx), new Timeouts(TIMEOUT_MS, TIMEOUT_MS, TIMEOUT_MS, TIMEOUT_MS, 0));
  }

  private static JsonObject turn(String userId, String answerId) {
    return new JsonObject().put(Fields.BOT_ID, "bot_1").put(Fields.SESSION_ID, "session-1")
        .put(Fields.USER, new JsonObject().put(Fields.ID, userId).put(Fields.CONTENT, "hi"))
        .put(Fields.ASSISTANT, new JsonObject().put(Fields.ID, answerId).put(Fields.CONTENT, "hello"));
  }
}
