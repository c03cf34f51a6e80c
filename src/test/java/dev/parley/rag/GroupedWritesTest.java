package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Writes asked for together go together, one group at a time; a failed group is written again item by item. */
class GroupedWritesTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void items_asked_in_one_tick_or_during_a_write_share_the_next_write_up_to_the_group_size() throws Exception {
    Context context = vertx.getOrCreateContext();
    List<List<String>> calls = new CopyOnWriteArrayList<>();
    List<Promise<Void>> held = new CopyOnWriteArrayList<>();
    GroupedWrites<String> writes = new GroupedWrites<>(context, 3, items -> {
      calls.add(items);
      Promise<Void> done = Promise.promise();
      held.add(done);
      return done.future();
    });
    List<Future<Void>> first = onContext(context, () -> List.of(writes.write("a"), writes.write("b")));
    await(() -> calls.size() == 1);
    List<Future<Void>> later = onContext(context, () -> List.of(writes.write("c"), writes.write("d"),
        writes.write("e"), writes.write("f")));
    assertThat(calls).as("none while a write runs").hasSize(1);
    context.runOnContext(v -> held.get(0).complete());
    await(() -> calls.size() == 2);
    assertThat(first).allMatch(Future::succeeded);
    assertThat(calls.get(1)).as("the next group, at most 3").containsExactly("c", "d", "e");
    context.runOnContext(v -> held.get(1).complete());
    await(() -> calls.size() == 3);
    assertThat(calls.get(2)).containsExactly("f");
    context.runOnContext(v -> held.get(2).complete());
    await(() -> later.stream().allMatch(Future::succeeded));
    assertThat(writes.writes()).isEqualTo(3);
  }

  @Test
  void a_failed_group_is_written_again_item_by_item_so_only_the_bad_one_fails() throws Exception {
    Context context = vertx.getOrCreateContext();
    List<List<String>> calls = new CopyOnWriteArrayList<>();
    GroupedWrites<String> writes = new GroupedWrites<>(context, 10, items -> {
      calls.add(items);
      return items.contains("bad") ? Future.failedFuture("refused") : Future.succeededFuture();
    });
    List<Future<Void>> asked = onContext(context, () -> List.of(writes.write("a"), writes.write("bad"),
        writes.write("c")));
    Future.join(new ArrayList<>(asked)).transform(done -> Future.succeededFuture()).await(10, TimeUnit.SECONDS);

    assertThat(asked.get(0).succeeded()).isTrue();
    assertThat(asked.get(1).failed()).isTrue();
    assertThat(asked.get(2).succeeded()).isTrue();
    assertThat(calls).containsExactly(List.of("a", "bad", "c"), List.of("a"), List.of("bad"), List.of("c"));
  }

  private static List<Future<Void>> onContext(Context context, Supplier<List<Future<Void>>> ask)
      throws Exception {
    Promise<List<Future<Void>>> asked = Promise.promise();
    context.runOnContext(v -> asked.complete(ask.get()));
    return asked.future().await(10, TimeUnit.SECONDS);
  }

  private void await(BooleanSupplier condition) throws Exception {
    Await.until(vertx, condition).await(10, TimeUnit.SECONDS);
  }
}
