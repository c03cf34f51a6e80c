package dev.parley.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.testing.Await;
import dev.parley.testing.Operators;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.SmtpServer;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A handoff request mails the bot's people through a real SMTP server (GreenMail, in process): agents and up whose
 * bots include the bot, not viewers, not people of other bots, not disabled people; a follow-up's mail names the visitor
 * and answers to them.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class HandoffMailTest {

  @RegisterExtension
  static final SmtpServer smtp = new SmtpServer();
  private static final int MAX_PER_BOT = 4;
  private static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("mail", smtp.config().put("max_per_bot_per_hour", MAX_PER_BOT));
  }

  @Test
  void a_handoff_request_mails_the_agents_of_the_bot_and_no_one_else() throws Exception {
    String bot = Await.result(app.createBot(new JsonObject().put("name", "Helpdesk").put("api_key", "sk-mail"))).getString("id");
    String other = Await.result(app.createBot(new JsonObject().put("name", "Other").put("api_key", "sk-mail"))).getString("id");
    Operators people = new Operators(app);
    String agent = invite(people, "agent", new JsonArray().add(bot));
    String admin = invite(people, "admin", null);
    String viewer = invite(people, "viewer", new JsonArray().add(bot));
    String elsewhere = invite(people, "agent", new JsonArray().add(other));

    app.vertx.eventBus().publish(Addresses.EVENTS_CONVERSATION_HANDOFF_REQUESTED, new JsonObject().put("bot_id", bot)
        .put("session_id", "mail-session-1").put("conversation_id", "c1").put("state", "waiting")
        .put("trigger", "keywords").put("at", System.currentTimeMillis()));

    assertThat(smtp.waitFor(10_000, 2)).isTrue();
    Thread.sleep(300); // nothing more comes
    MimeMessage[] received = smtp.received();
    List<String> to = Arrays.stream(received).map(HandoffMailTest::to).toList();
    assertThat(to).containsExactlyInAnyOrder(agent, admin).doesNotContain(viewer, elsewhere);
    assertThat(received[0].getSubject()).isEqualTo("A visitor of Helpdesk asks for a person");
    assertThat(received[0].getFrom()[0].toString()).isEqualTo("parley@example.test");
    assertThat(String.valueOf(received[0].getContent())).contains("(keywords)").contains(app.config.getString("public_url")
        + "/admin/#/inbox");
  }

  @Test
  void a_follow_up_mails_the_visitors_name_and_answers_to_their_address() throws Exception {
    String bot = Await.result(app.createBot(new JsonObject().put("name", "Shop").put("api_key", "sk-mail"))).getString("id");
    String agent = invite(new Operators(app), "agent", new JsonArray().add(bot));

    app.vertx.eventBus().publish(Addresses.EVENTS_CONVERSATION_FOLLOW_UP, new JsonObject().put("bot_id", bot)
        .put("session_id", "mail-session-2").put("conversation_id", "c2").put("state", "waiting")
        .put("reason", "follow_up").put("name", "Grace\r\nBcc: evil@example.test").put("email", "grace@example.test")
        .put("at", System.currentTimeMillis()));

    // the people of every bot (an admin another test made) get it too; wait for the agent's own mail
    Await.result(Await.until(app.vertx, () -> Arrays.stream(smtp.received()).anyMatch(m -> to(m).equals(agent))));
    MimeMessage mail = Arrays.stream(smtp.received()).filter(m -> to(m).equals(agent)).findFirst().orElseThrow();
    assertThat(mail.getSubject()).isEqualTo("Follow-up request on Shop");
    assertThat(mail.getReplyTo()[0].toString()).isEqualTo("grace@example.test");
    assertThat(mail.getRecipients(Message.RecipientType.BCC)).isNull();
    assertThat(String.valueOf(mail.getContent())).contains("Name: Grace Bcc: evil@example.test")
        .contains("E-mail: grace@example.test");
  }

  @Test
  void a_visitor_repeating_follow_ups_on_one_session_mails_the_agents_once() throws Exception {
    String bot = handoffBot("Repeated");
    String agent = invite(new Operators(app), "agent", new JsonArray().add(bot));
    String session = "mail-" + UUID.randomUUID();
    for (int i = 0; i < 6; i++) {
      assertThat(visitor(bot, session, "follow-up", new JsonObject().put("name", "Mallory " + i)
          .put("email", "mallory@example.test").put("message", "Call me")).statusCode()).isEqualTo(202);
    }

    Await.result(Await.until(app.vertx, () -> mailsTo(agent, "Follow-up request on Repeated") > 0));
    Thread.sleep(1_000); // nothing more comes
    assertThat(mailsTo(agent, "Follow-up request on Repeated")).isEqualTo(1);
  }

  @Test
  void a_visitor_asking_for_a_person_from_many_sessions_mails_the_agents_at_most_the_bots_hourly_limit()
      throws Exception {
    String bot = handoffBot("Flooded");
    String agent = invite(new Operators(app), "agent", new JsonArray().add(bot));
    for (int i = 0; i < MAX_PER_BOT + 4; i++) {
      assertThat(visitor(bot, "mail-" + UUID.randomUUID(), "handoff", new JsonObject()).statusCode()).isEqualTo(202);
    }

    Await.result(Await.until(app.vertx, () -> mailsTo(agent, "A visitor of Flooded asks for a person") >= MAX_PER_BOT));
    Thread.sleep(1_000); // nothing more comes
    assertThat(mailsTo(agent, "A visitor of Flooded asks for a person")).isEqualTo(MAX_PER_BOT);
  }

  private static String handoffBot(String name) {
    return Await.result(app.createBot(new JsonObject().put("name", name).put("api_key", "sk-mail")
        .put("handoff", new JsonObject().put("enabled", true)))).getString("id");
  }

  private static HttpResponse<Buffer> visitor(String bot, String session, String what, JsonObject body) {
    return Await.result(app.client.post("/api/chat/" + bot + "/session/" + session + "/" + what).sendJsonObject(body));
  }

  private static long mailsTo(String address, String subject) {
    return Arrays.stream(smtp.received()).filter(m -> {
      try {
        return to(m).equals(address) && subject.equals(m.getSubject());
      } catch (jakarta.mail.MessagingException e) {
        throw new IllegalStateException(e);
      }
    }).count();
  }

  /** Invites a person and drops their invite's own e-mail (InviteMailTest tests it): these tests count handoff mails. */
  private static String invite(Operators people, String role, JsonArray bots) {
    String email = Operators.email(role);
    people.invite(email, role, bots);
    smtp.clear();
    return email;
  }

  private static String to(MimeMessage message) {
    try {
      return message.getRecipients(Message.RecipientType.TO)[0].toString();
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }
}
