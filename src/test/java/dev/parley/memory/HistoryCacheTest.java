package dev.parley.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryCacheTest {

  private static final String BOT = "bot-1";

  private final HistoryCache cache = new HistoryCache("test", 10_000, 100);
  private int ids;

  @Test
  void a_filled_session_answers_its_newest_messages_oldest_first() {
    cache.fill(BOT, "s1", cache.ticket(), 20, newestFirst("m3", "m2", "m1"));

    assertThat(contents(cache.get(BOT, "s1", 20))).containsExactly("m1", "m2", "m3");
    assertThat(contents(cache.get(BOT, "s1", 2))).containsExactly("m2", "m3");
    assertThat(cache.get("bot-2", "s1", 20)).isNull();
  }

  @Test
  void a_session_read_only_in_part_misses_when_more_is_asked() {
    cache.fill(BOT, "s1", cache.ticket(), 2, newestFirst("m3", "m2"));

    assertThat(contents(cache.get(BOT, "s1", 2))).containsExactly("m2", "m3");
    assertThat(cache.get(BOT, "s1", 3)).isNull();
  }

  @Test
  void committed_messages_are_appended_once() {
    cache.fill(BOT, "s1", cache.ticket(), 20, newestFirst("m1"));
    List<HistoryCache.Message> turn = List.of(message("u2"), message("a2"));

    cache.appended(BOT, "s1", turn);
    cache.appended(BOT, "s1", turn);

    assertThat(contents(cache.get(BOT, "s1", 20))).containsExactly("m1", "u2", "a2");
  }

  @Test
  void a_read_is_not_kept_when_the_session_was_written_after_it_was_issued() {
    long ticket = cache.ticket();
    cache.appended(BOT, "s1", List.of(message("u1"), message("a1")));

    cache.fill(BOT, "s1", ticket, 20, newestFirst());

    assertThat(cache.get(BOT, "s1", 20)).isNull();
    cache.fill(BOT, "s1", cache.ticket(), 20, newestFirst("a1", "u1"));
    assertThat(contents(cache.get(BOT, "s1", 20))).containsExactly("u1", "a1");
  }

  @Test
  void a_session_written_before_it_was_ever_read_is_not_served() {
    cache.appended(BOT, "s1", List.of(message("u1"), message("a1")));

    assertThat(cache.get(BOT, "s1", 1)).isNull();
  }

  @Test
  void a_forgotten_session_is_read_again() {
    cache.fill(BOT, "s1", cache.ticket(), 20, newestFirst("m1"));
    long before = cache.ticket();

    cache.forget(BOT, "s1");

    assertThat(cache.get(BOT, "s1", 20)).isNull();
    cache.fill(BOT, "s1", before, 20, newestFirst("m1"));
    assertThat(cache.get(BOT, "s1", 20)).isNull();
  }

  @Test
  void least_recently_used_sessions_go_first_when_the_characters_run_out() {
    HistoryCache small = new HistoryCache("small", 10, 100);
    small.fill(BOT, "old", small.ticket(), 20, newestFirst("aaaa"));
    small.fill(BOT, "used", small.ticket(), 20, newestFirst("bbbb"));
    small.get(BOT, "old", 20);

    small.fill(BOT, "new", small.ticket(), 20, newestFirst("cccc"));

    assertThat(small.get(BOT, "used", 20)).isNull();
    assertThat(contents(small.get(BOT, "old", 20))).containsExactly("aaaa");
    assertThat(contents(small.get(BOT, "new", 20))).containsExactly("cccc");
    assertThat(small.chars()).isEqualTo(8);
  }

  @Test
  void sessions_are_bounded_in_number_too() {
    HistoryCache few = new HistoryCache("few", 10_000, 3);
    for (int i = 0; i < 10; i++) {
      few.appended(BOT, "s" + i, List.of(message("u"), message("a")));
    }

    assertThat(few.sessions()).isEqualTo(3);
  }

  @Test
  void a_session_keeps_at_most_its_largest_history_and_then_misses_beyond_it() {
    HistoryCache big = new HistoryCache("big", 1_000_000, 10);
    big.fill(BOT, "s1", big.ticket(), 500, newestFirst());
    for (int i = 0; i < HistoryCache.MAX_MESSAGES + 10; i++) {
      big.appended(BOT, "s1", List.of(message("m" + i)));
    }

    JsonArray all = big.get(BOT, "s1", HistoryCache.MAX_MESSAGES);
    assertThat(all).hasSize(HistoryCache.MAX_MESSAGES);
    assertThat(contents(all).get(0)).isEqualTo("m10");
    assertThat(contents(all).get(HistoryCache.MAX_MESSAGES - 1)).isEqualTo("m" + (HistoryCache.MAX_MESSAGES + 9));
    assertThat(contents(big.get(BOT, "s1", 3))).as("a turn's few of a full session")
        .containsExactly("m" + (HistoryCache.MAX_MESSAGES + 7), "m" + (HistoryCache.MAX_MESSAGES + 8),
            "m" + (HistoryCache.MAX_MESSAGES + 9));
    assertThat(big.get(BOT, "s1", HistoryCache.MAX_MESSAGES + 1)).isNull();
    big.get(BOT, "s1", 3).add(new JsonObject().put("role", "user").put("content", "appended by a reader"));
    assertThat(big.get(BOT, "s1", 0)).isEmpty();
    assertThat(big.get(BOT, "s1", -1)).as("a limit under zero asks for none").isEmpty();
  }

  @Test
  void one_cache_per_database_dropped_by_its_last_user() {
    HistoryCache first = HistoryCache.acquire("db-a", 1_000);
    HistoryCache second = HistoryCache.acquire("db-a", 1_000);
    HistoryCache other = HistoryCache.acquire("db-b", 1_000);
    assertThat(second).isSameAs(first);
    assertThat(other).isNotSameAs(first);
    assertThat(HistoryCache.acquire("db-c", 0)).isNull();

    first.release();
    second.release();
    other.release();
    HistoryCache fresh = HistoryCache.acquire("db-a", 1_000);
    assertThat(fresh).isNotSameAs(first);
    fresh.release();
  }

  private HistoryCache.Message message(String content) {
    return new HistoryCache.Message("id-" + content + "-" + ids++, content.startsWith("a") ? "assistant" : "user", content);
  }

  private List<HistoryCache.Message> newestFirst(String... contents) {
    List<HistoryCache.Message> messages = new ArrayList<>();
    for (String content : contents) {
      messages.add(message(content));
    }
    return messages;
  }

  private static List<String> contents(JsonArray messages) {
    assertThat(messages).isNotNull();
    return messages.stream().map(m -> ((JsonObject) m).getString("content")).toList();
  }
}
