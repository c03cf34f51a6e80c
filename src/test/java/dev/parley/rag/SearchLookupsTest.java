package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SearchLookupsTest {

  private final SearchLookups lookups = new SearchLookups();
  private final AtomicInteger reads = new AtomicInteger();

  private Future<Map<String, Integer>> read(Map<String, Integer> models) {
    reads.incrementAndGet();
    return Future.succeededFuture(models);
  }

  @Test
  void a_bots_models_are_read_once_until_a_document_changes() {
    Map<String, Integer> first = lookups.models("bot-1", () -> read(Map.of("minilm", 3))).result();
    Map<String, Integer> again = lookups.models("bot-1", () -> read(Map.of("other", 1))).result();
    assertThat(first).isEqualTo(Map.of("minilm", 3));
    assertThat(again).isEqualTo(first);
    assertThat(reads).hasValue(1);

    lookups.modelsChanged();
    assertThat(lookups.models("bot-1", () -> read(Map.of("minilm", 3, "openai", 1))).result())
        .isEqualTo(Map.of("minilm", 3, "openai", 1));
    assertThat(reads).hasValue(2);
  }

  @Test
  void a_read_that_raced_a_change_is_answered_but_not_kept() {
    Promise<Map<String, Integer>> slow = Promise.promise();
    Future<Map<String, Integer>> raced = lookups.models("bot-1", () -> {
      reads.incrementAndGet();
      return slow.future();
    });
    lookups.modelsChanged();
    slow.complete(Map.of("stale", 1));
    assertThat(raced.result()).isEqualTo(Map.of("stale", 1));

    assertThat(lookups.models("bot-1", () -> read(Map.of("fresh", 2))).result()).isEqualTo(Map.of("fresh", 2));
    assertThat(reads).hasValue(2);
  }

  @Test
  void a_failed_read_is_not_kept() {
    Future<Map<String, Integer>> failed = lookups.models("bot-1", () -> {
      reads.incrementAndGet();
      return Future.failedFuture("database down");
    });
    assertThat(failed.failed()).isTrue();
    assertThat(lookups.models("bot-1", () -> read(Map.of("minilm", 1))).result()).isEqualTo(Map.of("minilm", 1));
    assertThat(reads).hasValue(2);
  }

  @Test
  void urls_are_known_until_their_document_is_deleted_and_a_delete_forgets_the_models_too() {
    lookups.url("doc-a", "https://example.com/a");
    lookups.url("doc-b", null);
    lookups.models("bot-1", () -> read(Map.of("minilm", 2)));

    assertThat(lookups.urls(List.of("doc-a", "doc-b", "doc-c")))
        .isEqualTo(Map.of("doc-a", Optional.of("https://example.com/a"), "doc-b", Optional.empty()));

    lookups.deleted("doc-a");
    assertThat(lookups.urls(List.of("doc-a", "doc-b"))).containsOnlyKeys("doc-b");
    lookups.models("bot-1", () -> read(Map.of("minilm", 1)));
    assertThat(reads).hasValue(2);
  }

  @Test
  void at_most_max_urls_are_kept_and_the_least_recently_used_goes_first() {
    for (int i = 0; i < SearchLookups.MAX_URLS; i++) {
      lookups.url("doc-" + i, "https://example.com/" + i);
    }
    assertThat(lookups.urls(List.of("doc-0"))).containsOnlyKeys("doc-0");
    lookups.url("doc-new", "https://example.com/new");

    assertThat(lookups.urls(List.of("doc-0", "doc-1", "doc-new"))).containsOnlyKeys("doc-0", "doc-new");
  }
}
