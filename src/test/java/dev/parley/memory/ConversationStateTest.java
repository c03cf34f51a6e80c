package dev.parley.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.ConversationClient;
import dev.parley.common.Fields;
import dev.parley.common.MemoryClient;
import dev.parley.common.ParleyException;
import dev.parley.common.Timeouts;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A conversation's state through {@code parley.conversation.*}: bot → waiting → human → bot or closed, the visitor's
 * event log (replayed in order after an id, published on the session's address), agent messages and notes, the
 * refusals (held by another agent, closed, unknown conversation) and the no-answer count.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ConversationStateTest {

  static TestApp app;

  private static final String RID = "conversation-state";
  private static final JsonObject ANA = new JsonObject().put(Fields.USER_ID, "u-ana").put(Fields.NAME, "Ana").put(Fields.ROLE, "agent");
  private static final JsonObject BEN = new JsonObject().put(Fields.USER_ID, "u-ben").put(Fields.NAME, "Ben").put(Fields.ROLE, "agent");
  private static final JsonObject ADA = new JsonObject().put(Fields.USER_ID, "u-ada").put(Fields.NAME, "Ada").put(Fields.ROLE, "admin");

  @Test
  void a_session_without_a_conversation_is_with_the_bot() {
    String botId = bot();
    assertThat(Await.result(client().state(RID, botId, "session-none-001")).getString(Fields.STATE)).isEqualTo("bot");
  }

  @Test
  void a_session_read_as_with_the_bot_shows_each_later_change_at_once() {
    String botId = bot();
    String session = "session-known-bot";
    assertThat(state(botId, session)).isEqualTo("bot");
    assertThat(state(botId, session)).as("read again, from what the first read kept on SQLite").isEqualTo("bot");
    String conversation = Await.result(client().handoff(RID, botId, session, null, "visitor")).getString(Fields.CONVERSATION_ID);
    assertThat(state(botId, session)).isEqualTo("waiting");
    Await.result(client().assign(RID, botId, conversation, ANA, null));
    JsonObject held = Await.result(client().state(RID, botId, session));
    assertThat(held.getString(Fields.STATE)).isEqualTo("human");
    assertThat(held.getString(Fields.ASSIGNEE_NAME)).isEqualTo("Ana");
    Await.result(client().release(RID, botId, conversation, ANA));
    assertThat(state(botId, session)).isEqualTo("bot");
    assertThat(state(botId, session)).isEqualTo("bot");
    Await.result(client().message(RID, botId, conversation, BEN, "Ben takes it from here", false));
    assertThat(state(botId, session)).as("an agent's message takes it over").isEqualTo("human");
    Await.result(client().close(RID, botId, conversation, BEN));
    assertThat(state(botId, session)).isEqualTo("closed");
    Await.result(client().reopen(RID, botId, session));
    assertThat(state(botId, session)).isEqualTo("bot");
    assertThat(Await.result(client().handoff(RID, botId, session, null, "keywords")).getString(Fields.STATE)).isEqualTo("waiting");
    assertThat(state(botId, session)).isEqualTo("waiting");
  }

  @Test
  void a_handoff_makes_the_conversation_wait_and_is_replayed_and_published_to_the_session() {
    String botId = bot();
    String session = "session-handoff-01";
    List<JsonObject> published = new CopyOnWriteArrayList<>();
    Await.result(app.vertx.eventBus().<JsonObject>consumer(Addresses.SESSION_PREFIX + botId + "." + session,
        message -> published.add(message.body())).completion());
    List<JsonObject> requested = new CopyOnWriteArrayList<>();
    Await.result(app.vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS_CONVERSATION_HANDOFF_REQUESTED,
        message -> requested.add(message.body())).completion());

    JsonObject waiting = Await.result(client().handoff(RID, botId, session, "I need a person", "visitor"));
    assertThat(waiting.getString(Fields.STATE)).isEqualTo("waiting");
    assertThat(waiting.getBoolean("changed")).isTrue();
    JsonObject again = Await.result(client().handoff(RID, botId, session, null, "visitor"));
    assertThat(again.getBoolean("changed")).as("a second request changes nothing").isFalse();

    JsonArray events = Await.result(client().events(RID, botId, session, 0)).getJsonArray(Fields.EVENTS);
    assertThat(events).hasSize(1);
    assertThat(events.getJsonObject(0).getString(Fields.TYPE)).isEqualTo("state");
    assertThat(events.getJsonObject(0).getJsonObject(Fields.DATA).getString(Fields.STATE)).isEqualTo("waiting");
    Await.result(Await.until(app.vertx, () -> published.size() == 1 && requested.size() == 1));
    assertThat(published.get(0).getLong(Fields.ID)).isEqualTo(events.getJsonObject(0).getLong(Fields.ID));
    JsonObject event = requested.get(0);
    assertThat(event.getString(Fields.TRIGGER)).isEqualTo("visitor");
    assertThat(event.getString(Fields.REASON)).isEqualTo("I need a person");
    assertThat(event.getString(Fields.CONVERSATION_ID)).isEqualTo(waiting.getString(Fields.CONVERSATION_ID));
  }

  @Test
  void an_agent_takes_over_writes_and_hands_back_and_the_bot_then_sees_the_agents_words() {
    String botId = bot();
    String session = "session-agent-001";
    String conversation = Await.result(client().handoff(RID, botId, session, null, "visitor")).getString(Fields.CONVERSATION_ID);

    JsonObject human = Await.result(client().assign(RID, botId, conversation, ANA, null));
    assertThat(human.getString(Fields.STATE)).isEqualTo("human");
    assertThat(human.getString(Fields.ASSIGNEE_NAME)).isEqualTo("Ana");
    Await.result(client().message(RID, botId, conversation, ANA, "Hello, I am Ana.", false));
    Await.result(client().message(RID, botId, conversation, ANA, "internal: refund likely", true));
    assertThat(Await.result(client().release(RID, botId, conversation, ANA)).getString(Fields.STATE)).isEqualTo("bot");

    JsonArray events = Await.result(client().events(RID, botId, session, 0)).getJsonArray(Fields.EVENTS);
    assertThat(events.stream().map(e -> ((JsonObject) e).getString(Fields.TYPE)).toList())
        .containsExactly("state", "state", "message", "state");
    JsonObject message = events.getJsonObject(2).getJsonObject(Fields.DATA);
    assertThat(message.getString(Fields.ROLE)).isEqualTo("agent");
    assertThat(message.getString(Fields.AGENT_NAME)).isEqualTo("Ana");
    assertThat(message.getString(Fields.TEXT)).isEqualTo("Hello, I am Ana.");
    assertThat(events.getJsonObject(1).getJsonObject(Fields.DATA).getString(Fields.ASSIGNEE_NAME)).isEqualTo("Ana");
    long second = events.getJsonObject(1).getLong(Fields.ID);
    assertThat(Await.result(client().events(RID, botId, session, second)).getJsonArray(Fields.EVENTS))
        .as("replay after an id").hasSize(2);
    assertThat(events.encode()).doesNotContain("refund");

    JsonArray history = Await.result(memory().history(RID, botId, session, 20));
    assertThat(history.encode()).contains("Hello, I am Ana.").doesNotContain("refund");
    assertThat(history.getJsonObject(history.size() - 1).getString(Fields.ROLE)).isEqualTo("assistant");
    JsonArray visible = Await.result(memory().messages(RID, botId, session)).getJsonArray(Fields.MESSAGES);
    assertThat(visible.encode()).as("the visitor's view").contains("Hello, I am Ana.").doesNotContain("refund");
    JsonObject log = Await.result(memory().conversation(RID, botId, conversation));
    assertThat(log.getString(Fields.STATE)).isEqualTo("bot");
    assertThat(log.getJsonArray(Fields.MESSAGES).stream().map(m -> ((JsonObject) m).getString(Fields.ROLE)).toList())
        .containsExactly("agent", "note");
    assertThat(log.getJsonArray(Fields.MESSAGES).getJsonObject(0).getString("author_name")).isEqualTo("Ana");
  }

  @Test
  void another_agent_cannot_take_a_held_conversation_but_an_admin_can() {
    String botId = bot();
    String conversation = Await.result(client().handoff(RID, botId, "session-held-0001", null, "visitor"))
        .getString(Fields.CONVERSATION_ID);
    Await.result(client().assign(RID, botId, conversation, ANA, null));
    for (Throwable refused : List.of(
        Await.failure(client().assign(RID, botId, conversation, BEN, null)),
        Await.failure(client().message(RID, botId, conversation, BEN, "me too", false)),
        Await.failure(client().release(RID, botId, conversation, BEN)),
        Await.failure(client().close(RID, botId, conversation, BEN)))) {
      assertThat(((ParleyException) refused).status()).isEqualTo(409);
      assertThat(((ParleyException) refused).code()).isEqualTo("conversation_held");
    }
    assertThat(Await.result(client().assign(RID, botId, conversation, ADA, BEN)).getString(Fields.ASSIGNEE_NAME)).isEqualTo("Ben");
    assertThat(Await.result(client().message(RID, botId, conversation, BEN, "Ben here", false)).getString(Fields.STATE))
        .isEqualTo("human");
  }

  @Test
  void a_closed_conversation_refuses_agent_messages_and_a_visitor_reopens_it() {
    String botId = bot();
    String session = "session-closed-01";
    String conversation = Await.result(client().handoff(RID, botId, session, null, "visitor")).getString(Fields.CONVERSATION_ID);
    assertThat(Await.result(client().close(RID, botId, conversation, ANA)).getString(Fields.STATE)).isEqualTo("closed");
    ParleyException closed = (ParleyException) Await.failure(client().message(RID, botId, conversation, ANA, "hi", false));
    assertThat(closed.status()).isEqualTo(409);
    assertThat(closed.code()).isEqualTo("conversation_closed");
    ParleyException release = (ParleyException) Await.failure(client().release(RID, botId, conversation, ANA));
    assertThat(release.status()).isEqualTo(409);
    assertThat(Await.result(client().reopen(RID, botId, session)).getString(Fields.STATE)).isEqualTo("bot");
  }

  @Test
  void an_agent_message_to_a_waiting_conversation_takes_it_over() {
    String botId = bot();
    String conversation = Await.result(client().handoff(RID, botId, "session-reply-001", null, "visitor"))
        .getString(Fields.CONVERSATION_ID);
    JsonObject sent = Await.result(client().message(RID, botId, conversation, BEN, "On it", false));
    assertThat(sent.getString(Fields.STATE)).isEqualTo("human");
    assertThat(sent.getString(Fields.ASSIGNEE_ID)).isEqualTo("u-ben");
    assertThat(sent.getString(Fields.MESSAGE_ID)).isNotBlank();
  }

  @Test
  void an_unknown_conversation_or_another_bots_one_is_not_found() {
    String botId = bot();
    String other = bot();
    String conversation = Await.result(client().handoff(RID, botId, "session-other-001", null, "visitor"))
        .getString(Fields.CONVERSATION_ID);
    for (Throwable missing : List.of(
        Await.failure(client().assign(RID, other, conversation, ANA, null)),
        Await.failure(client().close(RID, botId, "no-such-conversation", ANA)))) {
      assertThat(((ParleyException) missing).status()).isEqualTo(404);
    }
  }

  @Test
  void a_bad_trigger_or_empty_text_is_refused() {
    String botId = bot();
    ParleyException trigger = (ParleyException) Await.failure(client().handoff(RID, botId, "session-bad-0001", null, "magic"));
    assertThat(trigger.status()).isEqualTo(422);
    String conversation = Await.result(client().handoff(RID, botId, "session-bad-0001", null, "visitor"))
        .getString(Fields.CONVERSATION_ID);
    ParleyException text = (ParleyException) Await.failure(client().message(RID, botId, conversation, ANA, " ", false));
    assertThat(text.status()).isEqualTo(422);
  }

  @Test
  void the_bots_turns_that_found_nothing_n_times_in_a_row_ask_for_a_person() {
    String botId = bot();
    String session = "session-noanswer1";
    Await.result(memory().append(RID, new JsonObject().put(Fields.BOT_ID, botId).put(Fields.SESSION_ID, session)
        .put(Fields.USER, new JsonObject().put(Fields.CONTENT, "hello"))));
    assertThat(Await.result(client().noAnswer(RID, botId, session, false, 2)).getString(Fields.STATE)).isEqualTo("bot");
    assertThat(Await.result(client().noAnswer(RID, botId, session, true, 2)).getInteger("streak")).isZero();
    assertThat(Await.result(client().noAnswer(RID, botId, session, false, 2)).getString(Fields.STATE)).isEqualTo("bot");
    JsonObject waiting = Await.result(client().noAnswer(RID, botId, session, false, 2));
    assertThat(waiting.getString(Fields.STATE)).isEqualTo("waiting");
    assertThat(waiting.getBoolean("changed")).isTrue();
  }

  @Test
  void the_inbox_lists_waiting_first_with_unread_counts_and_the_states_are_counted() {
    String botId = bot();
    String session = "session-inbox-001";
    String conversation = Await.result(client().handoff(RID, botId, session, null, "keywords")).getString(Fields.CONVERSATION_ID);
    Await.result(memory().append(RID, new JsonObject().put(Fields.BOT_ID, botId).put(Fields.SESSION_ID, session)
        .put(Fields.USER, new JsonObject().put(Fields.CONTENT, "anyone there?"))));
    JsonArray inbox = Await.result(client().inbox(RID, List.of(botId), null, 50)).getJsonArray("conversations");
    assertThat(inbox).hasSize(1);
    JsonObject item = inbox.getJsonObject(0);
    assertThat(item.getString(Fields.CONVERSATION_ID)).isEqualTo(conversation);
    assertThat(item.getString(Fields.STATE)).isEqualTo("waiting");
    assertThat(item.getLong("unread")).isEqualTo(1L);
    assertThat(item.getString("last_message")).isEqualTo("anyone there?");
    assertThat(Await.result(client().inbox(RID, List.of(botId), "human", 50)).getJsonArray("conversations")).isEmpty();
    Await.result(client().message(RID, botId, conversation, ANA, "yes", false));
    item = Await.result(client().inbox(RID, List.of(botId), "human", 50)).getJsonArray("conversations").getJsonObject(0);
    assertThat(item.getLong("unread")).isZero();
    assertThat(item.getString(Fields.ASSIGNEE_NAME)).isEqualTo("Ana");
    assertThat(Await.result(client().perState(RID)).getLong("human")).isGreaterThanOrEqualTo(1L);
  }

  private static String state(String botId, String session) {
    return Await.result(client().state(RID, botId, session)).getString(Fields.STATE);
  }

  private static ConversationClient client() {
    return new ConversationClient(new Bus(app.vertx), new Timeouts(5_000, 5_000, 5_000, 5_000, 0));
  }

  private static MemoryClient memory() {
    return new MemoryClient(new Bus(app.vertx), new Timeouts(5_000, 5_000, 5_000, 5_000, 0));
  }

  private static String bot() {
    return Await.result(app.createBot(new JsonObject().put("name", "states"))).getString("id");
  }
}
