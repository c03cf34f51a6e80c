package dev.parley.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The circuits kept per provider and base URL: bounded however many base URLs bots have had. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class CircuitBreakersTest {

  @Test
  void base_urls_of_bots_long_changed_do_not_keep_their_circuits_and_an_open_one_survives(Vertx vertx) {
    CircuitBreakers breakers = CircuitBreakers.shared(vertx, "circuit-breakers-test",
        new ProviderSettings.Breaker(1, 60_000, 60_000));
    try {
      String down = "https://down.example.test/v1";
      breakers.execute("openai", down, () -> Future.failedFuture(ProviderFailure.connection("down")));
      Await.result(Await.until(vertx, () -> breakers.state("openai", down) == CircuitBreakerState.OPEN));
      for (int i = 0; i < CircuitBreakers.MAX_CIRCUITS + 500; i++) {
        breakers.execute("openai", "https://llm-" + i + ".example.test/v1", () -> Future.succeededFuture("answer"));
      }
      assertThat(breakers.size()).isLessThanOrEqualTo(CircuitBreakers.MAX_CIRCUITS);
      assertThat(breakers.state("openai", down)).as("an open circuit is kept").isEqualTo(CircuitBreakerState.OPEN);
    } finally {
      CircuitBreakers.release(vertx, "circuit-breakers-test");
    }
  }
}
