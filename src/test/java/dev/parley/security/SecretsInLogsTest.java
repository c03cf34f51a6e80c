package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.parley.common.Addresses;
import dev.parley.testing.Operators;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Secrets that arrive in a request line (an invite token is a path segment) stay out of the log lines written when
 * the request fails.
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class SecretsInLogsTest {

  private static TestApp app;

  /** The account component's requests time out quickly, so a request it never answers fails fast. */
  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("timeouts", new JsonObject().put("bot_ms", 1_500));
  }

  @Test
  void an_invite_whose_acceptance_fails_is_not_written_to_the_log() {
    Operators people = new Operators(app);
    String invite = Operators.inviteToken(people.invite(Operators.email("invited"), "viewer", null));
    Handler<DeliveryContext<Object>> unanswered = delivery -> {
      if (!delivery.message().address().startsWith(Addresses.ACCOUNT_INVITE_ACCEPT)) {
        delivery.next();
      }
    };
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    app.vertx.eventBus().addOutboundInterceptor(unanswered);
    try {
      assertThat(people.accept(invite, Operators.PASSWORD).statusCode()).isEqualTo(504);
    } finally {
      app.vertx.eventBus().removeOutboundInterceptor(unanswered);
      root.detachAppender(logs);
    }
    assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).anyMatch(line -> line.contains("/api/invites/"))
        .noneMatch(line -> line.contains(invite));
    assertThat(people.accept(invite, Operators.PASSWORD).statusCode()).as("the invite is still good").isEqualTo(200);
  }
}
