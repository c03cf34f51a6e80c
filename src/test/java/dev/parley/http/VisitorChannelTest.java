package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.reliability.Turns;
import dev.parley.testing.AgentOnBus;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.SseChannel;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The visitor channel, {@code GET /api/chat/{bot_id}/session/{session_id}/events}: what a visitor missed replayed from
 * the conversation's log after {@code Last-Event-ID} or {@code ?after=}, live events once, and the answer being written
 * continued after a reload (an agent writes through the bus: {@link AgentOnBus}).
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class VisitorChannelTest {

  private static final String LONG_ANSWER = "Parley keeps talking for a good while so that the visitor can reload the "
      + "page long before the model has finished writing its long and detailed answer to the question asked.";

  private static TestApp app;
  private static AgentOnBus ada;
  private static String bot;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("http", new JsonObject().put("reload_grace_ms", 5_000));
  }

  @BeforeAll
  static void start() {
    ada = new AgentOnBus(app.vertx, "Ada");
    bot = dev.parley.testing.Await.result(app.createBot(new JsonObject().put("name", "Channel").put("provider", "openai")
        .put("api_key", "sk-channel-test").put("rag", new JsonObject().put("enabled", false)))).getString("id");
  }

  @BeforeEach
  void reset() {
    app.openai.reset();
    app.openai.answerWith(LONG_ANSWER);
    app.openai.chunkDelayMs(30);
  }

  @Test
  void a_channel_sends_what_was_missed_after_last_event_id_then_live_events_once(VertxTestContext test) {
    String session = session();
    ada.handoff(bot, session).compose(conversation -> ada.says(bot, conversation, "Hello, I am Ada")
            .compose(said -> ada.says(bot, conversation, "How can I help?"))
            .compose(said -> open(session, "", -1))
            .compose(all -> all.until(events -> events.size() == 4).compose(v -> all.close()).map(v -> all))
            .compose(all -> open(session, all.events().get(0).id(), -1).compose(resumed ->
                resumed.until(events -> events.size() == 3)
                    .compose(v -> ada.says(bot, conversation, "Still there?"))
                    .compose(v -> resumed.until(events -> events.size() == 4))
                    .map(v -> List.of(all, resumed)).eventually(resumed::close))))
        .onComplete(test.succeeding(both -> test.verify(() -> {
          List<SseChannel.Event> all = both.get(0).events();
          assertThat(both.get(0).status()).isEqualTo(200);
          assertThat(both.get(0).response().getHeader("Content-Type")).startsWith("text/event-stream");
          assertThat(all).extracting(SseChannel.Event::name).containsExactly("state", "state", "message", "message");
          assertThat(all.get(0).data().getString("state")).isEqualTo("waiting");
          assertThat(all.get(1).data().getString("assignee_name")).isEqualTo("Ada");
          assertThat(all.get(3).data().getString("agent_name")).isEqualTo("Ada");
          List<SseChannel.Event> resumed = both.get(1).events();
          assertThat(resumed.subList(0, 3)).isEqualTo(all.subList(1, 4));
          assertThat(resumed.get(3).name()).isEqualTo("message");
          assertThat(resumed.get(3).data().getString("text")).isEqualTo("Still there?");
          assertThat(Long.parseLong(resumed.get(3).id())).isGreaterThan(Long.parseLong(all.get(3).id()));
          test.completeNow();
        })));
  }

  @Test
  void the_after_parameter_resumes_like_last_event_id_and_the_header_wins(VertxTestContext test) {
    String session = session();
    ada.handoff(bot, session).compose(conversation -> ada.says(bot, conversation, "one")
            .compose(said -> ada.says(bot, conversation, "two")))
        .compose(said -> open(session, "", -1))
        .compose(all -> all.until(events -> events.size() == 4).compose(v -> all.close()).map(v -> all.events()))
        .compose(all -> {
          String second = all.get(1).id();
          Future<SseChannel> byParameter = SseChannel.open(app.vertx, app.port, path(session) + "?after=" + second, null);
          Future<SseChannel> byHeader = SseChannel.open(app.vertx, app.port, path(session) + "?after=" + second,
              MultiMap.caseInsensitiveMultiMap().add("Last-Event-ID", all.get(2).id()));
          return Future.all(byParameter, byHeader)
              .compose(both -> Future.all(byParameter.result().until(events -> events.size() == 2),
                  byHeader.result().until(events -> events.size() == 1)))
              .eventually(() -> byParameter.result().close()).eventually(() -> byHeader.result().close())
              .map(v -> {
                assertThat(byParameter.result().events()).extracting(e -> e.data().getString("text")).containsExactly("one", "two");
                assertThat(byHeader.result().events()).extracting(e -> e.data().getString("text")).containsExactly("two");
                return v;
              });
        })
        .onComplete(test.succeeding(v -> test.completeNow()));
  }

  @Test
  void a_visitor_who_reloads_mid_answer_sees_the_answer_continue(VertxTestContext test) {
    String session = session();
    Turns.leaveAfterFirstDelta(app, bot, session, "please talk for a while")
        // the reloaded page opens the channel with no cursor: the answer so far, then the rest
        .compose(read -> open(session, "", -1))
        .compose(channel -> channel.until(events -> channel.names().contains("answer_done"))
            .map(v -> channel).eventually(channel::close))
        .compose(channel -> Turns.session(app, bot, session).map(stored -> {
          String answerId = channel.events().get(0).data().getString("message_id");
          assertThat(channel.answer(answerId)).isEqualTo(LONG_ANSWER);
          assertThat(channel.names().get(channel.names().size() - 1)).isEqualTo("answer_done");
          JsonObject answer = stored.getJsonObject(1);
          assertThat(answer.getString("id")).isEqualTo(answerId);
          assertThat(answer.getString("content")).isEqualTo(LONG_ANSWER);
          assertThat(answer.getString("status")).isNotEqualTo("incomplete");
          return stored;
        }))
        .onComplete(test.succeeding(v -> test.completeNow()));
  }

  @Test
  void a_channel_that_reconnects_mid_answer_with_its_last_event_id_gets_only_the_rest(VertxTestContext test) {
    String session = session();
    open(session, "", -1).compose(first -> {
      Future<?> turn = streamTurn(session);
      return first.until(events -> events.size() >= 3).compose(v -> first.close()).map(v -> first.lastId())
          .compose(lastId -> open(session, lastId, -1).compose(second -> second.until(events ->
                  second.names().contains("answer_done")).map(v -> second).eventually(second::close))
              .map(second -> {
                assertThat(lastId).matches("0:[A-Za-z0-9-]+:\\d+");
                String answerId = first.events().get(0).data().getString("message_id");
                String before = first.answer(answerId);
                assertThat(before).isNotEmpty();
                assertThat(second.answer(answerId)).doesNotStartWith(before);
                assertThat(before + second.answer(answerId)).isEqualTo(LONG_ANSWER);
                return turn;
              }));
    }).onComplete(test.succeeding(v -> test.completeNow()));
  }

  @Test
  void an_answer_that_ended_while_the_visitor_was_away_is_finished_from_storage(VertxTestContext test) {
    String session = session();
    open(session, "", -1).compose(first -> {
      Future<?> turn = streamTurn(session);
      return first.until(events -> events.size() >= 2).compose(v -> first.close()).map(v -> first.lastId())
          .compose(lastId -> turn.compose(done -> open(session, lastId, -1)).compose(second -> second.until(events ->
                  second.names().contains("answer_done")).map(v -> second).eventually(second::close))
              .map(second -> {
                String answerId = first.events().get(0).data().getString("message_id");
                assertThat(first.answer(answerId) + second.answer(answerId)).isEqualTo(LONG_ANSWER);
                return second;
              }));
    }).onComplete(test.succeeding(v -> test.completeNow()));
  }

  @Test
  void a_channel_refuses_an_unknown_bot_a_bad_session_id_and_a_bad_cursor(VertxTestContext test) {
    Future<SseChannel> unknownBot = SseChannel.open(app.vertx, app.port, "/api/chat/nobot/session/" + session() + "/events", null);
    Future<SseChannel> badSession = SseChannel.open(app.vertx, app.port, "/api/chat/" + bot + "/session/bad!id/events", null);
    Future<SseChannel> badCursor = SseChannel.open(app.vertx, app.port, path(session()) + "?after=-3", null);
    Future<SseChannel> badHeader = SseChannel.open(app.vertx, app.port, path(session()),
        MultiMap.caseInsensitiveMultiMap().add("Last-Event-ID", "7:not a message:3"));
    Future.all(unknownBot, badSession, badCursor, badHeader).onComplete(test.succeeding(all -> test.verify(() -> {
      assertThat(unknownBot.result().status()).isEqualTo(404);
      assertThat(badSession.result().status()).isEqualTo(400);
      assertThat(badCursor.result().status()).isEqualTo(400);
      assertThat(badHeader.result().status()).isEqualTo(400);
      for (Future<SseChannel> channel : List.of(unknownBot, badSession, badCursor, badHeader)) {
        channel.result().close();
      }
      test.completeNow();
    })));
  }

  @Test
  void channels_are_limited_per_address_like_the_visitors_other_requests(VertxTestContext test) {
    app.createBot(new JsonObject().put("name", "Limited").put("provider", "openai").put("api_key", "sk-limited")
            .put("rate_limit", new JsonObject().put("per_address_per_minute", 1)))
        .compose(limited -> {
          String path = "/api/chat/" + limited.getString("id") + "/session/" + session() + "/events";
          return SseChannel.open(app.vertx, app.port, path, null).compose(first ->
              SseChannel.open(app.vertx, app.port, path, null).map(second -> List.of(first, second)));
        })
        .onComplete(test.succeeding(both -> test.verify(() -> {
          assertThat(both.get(0).status()).isEqualTo(200);
          assertThat(both.get(1).status()).isEqualTo(429);
          both.forEach(SseChannel::close);
          test.completeNow();
        })));
  }

  // ---------------------------------------------------------------- helpers

  private static String session() {
    return "channel-" + UUID.randomUUID();
  }

  private static String path(String session) {
    return "/api/chat/" + bot + "/session/" + session + "/events";
  }

  /** A streamed turn of the session, read to its end. */
  private static Future<String> streamTurn(String session) {
    return app.client.post("/api/chat/" + bot).putHeader("Accept", "text/event-stream")
        .sendJsonObject(new JsonObject().put("message", "please talk for a while").put("session_id", session))
        .map(response -> response.bodyAsString());
  }

  /** Opens the session's channel with {@code Last-Event-ID} {@code lastId} (none when empty) or {@code ?after=}. */
  private static Future<SseChannel> open(String session, String lastId, long after) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (!lastId.isEmpty()) {
      headers.add("Last-Event-ID", lastId);
    }
    return SseChannel.open(app.vertx, app.port, path(session) + (after >= 0 ? "?after=" + after : ""), headers)
        .map(channel -> {
          assertThat(channel.status()).isEqualTo(200);
          return channel;
        });
  }
}
