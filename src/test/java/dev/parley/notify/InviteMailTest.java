package dev.parley.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMailUtil;
import dev.parley.testing.Await;
import dev.parley.testing.BusRecorder;
import dev.parley.testing.Operators;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.SmtpServer;
import dev.parley.testing.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An invite is mailed to the invited person through a real SMTP server (GreenMail, in process): the link in the mail
 * is the one answered to whoever invited, it sets the person's password, a new link is mailed too, and the link never
 * crosses the event bus in plain text.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class InviteMailTest {

  @RegisterExtension
  static final SmtpServer smtp = new SmtpServer();
  /** Shorter than the shipped 300 s, so that a test can wait it out. */
  private static final int COOLDOWN_S = 2;
  private static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("mail", smtp.config().put("invite_cooldown_s", COOLDOWN_S));
  }

  @Test
  void an_invite_mails_its_link_to_the_invited_person_and_the_link_in_the_mail_sets_their_password() throws Exception {
    String email = Operators.email("editor");
    JsonObject created = create(new JsonObject().put("email", email).put("name", "Robin Tent").put("role", "editor"));

    assertThat(created.getString("invite_mail")).isEqualTo("sent");
    MimeMessage mail = onlyMail();
    assertThat(mail.getRecipients(Message.RecipientType.TO)).extracting(Object::toString).containsExactly(email);
    assertThat(mail.getFrom()).extracting(Object::toString).containsExactly("parley@example.test");
    assertThat(mail.getSubject()).isEqualTo("You are invited to Parley");
    String body = GreenMailUtil.getBody(mail);
    assertThat(body).contains("Hello,", " to Parley as editor.", created.getString("invite_url"), " UTC")
        .as("no text whoever invited chose but their own name").doesNotContain("Robin Tent");
    String link = linkIn(body);
    assertThat(link).isEqualTo(created.getString("invite_url"));

    Operators people = new Operators(app);
    assertThat(people.accept(token(link), Operators.PASSWORD).statusCode()).isEqualTo(200);
    assertThat(people.login(email, Operators.PASSWORD).statusCode()).isEqualTo(200);
  }

  @Test
  void a_new_link_asked_for_within_the_cooldown_is_answered_but_not_mailed_and_after_it_is_mailed() throws Exception {
    String email = Operators.email("agent");
    create(new JsonObject().put("email", email).put("name", "Sam Stove").put("role", "agent"));
    String first = linkIn(GreenMailUtil.getBody(onlyMail()));
    smtp.clear();

    JsonObject again = renew(email);

    assertThat(again.getString("invite_mail")).isEqualTo("limited");
    assertThat(smtp.received()).isEmpty();
    Thread.sleep(COOLDOWN_S * 1000L + 200);
    JsonObject renewed = renew(email);
    assertThat(renewed.getString("invite_mail")).isEqualTo("sent");
    String second = linkIn(GreenMailUtil.getBody(onlyMail()));
    assertThat(second).isEqualTo(renewed.getString("invite_url")).isNotEqualTo(first)
        .isNotEqualTo(again.getString("invite_url"));
    Operators people = new Operators(app);
    assertThat(people.accept(token(first), Operators.PASSWORD).statusCode()).isEqualTo(404);
    assertThat(people.accept(token(again.getString("invite_url")), Operators.PASSWORD).statusCode()).isEqualTo(404);
    assertThat(people.accept(token(second), Operators.PASSWORD).statusCode()).isEqualTo(200);
  }

  @Test
  void the_link_crosses_the_event_bus_sealed_never_in_plain_text() throws Exception {
    try (BusRecorder bus = new BusRecorder(app.vertx)) {
      JsonObject created = create(new JsonObject().put("email", Operators.email("viewer")).put("name", "Vi")
          .put("role", "viewer"));

      assertThat(created.getString("invite_mail")).isEqualTo("sent");
      String token = token(created.getString("invite_url"));
      assertThat(GreenMailUtil.getBody(onlyMail())).contains(token);
      assertThat(bus.bodies()).anyMatch(body -> body.contains("\"link\":\"v1:"));
      assertThat(bus.bodies()).noneMatch(body -> body.contains(token));
    }
  }

  @Test
  void who_invited_is_named_and_a_name_with_a_line_break_never_reaches_a_mail() throws Exception {
    Operators people = new Operators(app);
    Operators.SignedIn admin = people.person("admin", null);
    smtp.clear();
    String email = Operators.email("agent");

    HttpResponse<Buffer> response = Await.result(people.as(admin, HttpMethod.POST, "/api/users")
        .sendJsonObject(new JsonObject().put("email", email).put("name", "Eve").put("role", "agent")));

    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    MimeMessage mail = onlyMail();
    assertThat(GreenMailUtil.getBody(mail)).contains(admin.user().getString("name") + " invited you to Parley as agent.");
    assertThat(mail.getAllRecipients()).hasSize(1);
    smtp.clear();
    HttpResponse<Buffer> refused = Await.result(app.admin(HttpMethod.POST, "/api/users").sendJsonObject(new JsonObject()
        .put("email", Operators.email("agent")).put("name", "Eve\r\nBcc: spy@example.test").put("role", "agent")));
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(smtp.received()).isEmpty();
  }

  @Test
  void with_the_smtp_server_down_the_person_is_invited_all_the_same_and_the_answer_says_the_mail_did_not_go() {
    smtp.stop();
    try {
      String email = Operators.email("editor");
      JsonObject created = create(new JsonObject().put("email", email).put("name", "Offline").put("role", "editor"));

      assertThat(created.getString("invite_mail")).isEqualTo("failed");
      Operators people = new Operators(app);
      assertThat(people.accept(Operators.inviteToken(created), Operators.PASSWORD).statusCode()).isEqualTo(200);
      assertThat(people.login(email, Operators.PASSWORD).statusCode()).isEqualTo(200);
    } finally {
      smtp.start();
    }
  }

  /** A server that takes the connection and never says a word: each mail fails after the idle timeout. */
  @Test
  void a_mail_server_that_never_answers_fails_the_mail_after_the_idle_timeout_and_frees_its_place() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread taker = new Thread(() -> {
        List<Socket> held = new ArrayList<>();
        try {
          while (true) {
            held.add(silent.accept());
          }
        } catch (IOException closed) {
          held.forEach(socket -> {
            try {
              socket.close();
            } catch (IOException ignored) {
              // closing anyway
            }
          });
        }
      });
      taker.start();
      // a Vert.x of its own: on this class's, the other app's mail component would serve the bus address too
      Vertx own = Vertx.vertx();
      TestApp stalled = Await.result(TestApp.start(own, Files.createTempDirectory("parley-silent-smtp"),
          new JsonObject().put("mail", new SmtpServer().config().put("smtp_port", silent.getLocalPort())
              .put("smtp_idle_timeout_s", 1).put("max_in_flight", 1))));
      try {
        for (int i = 0; i < 2; i++) {
          HttpResponse<Buffer> response = Await.result(stalled.admin(HttpMethod.POST, "/api/users").sendJsonObject(
              new JsonObject().put("email", Operators.email("agent")).put("name", "Stalled").put("role", "agent")));
          assertThat(response.statusCode()).isEqualTo(201);
          assertThat(response.bodyAsJsonObject().getString("invite_mail")).as("try %d: its place was freed", i)
              .isEqualTo("failed");
        }
      } finally {
        Await.result(stalled.stop());
        Await.result(own.close());
      }
    }
  }

  private static JsonObject create(JsonObject body) {
    HttpResponse<Buffer> response = Await.result(app.admin(HttpMethod.POST, "/api/users").sendJsonObject(body));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject();
  }

  private static JsonObject renew(String email) {
    HttpResponse<Buffer> response = Await.result(app.admin(HttpMethod.POST, "/api/users/" + idOf(email) + "/invite")
        .send());
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static String idOf(String email) {
    return Await.result(app.admin(HttpMethod.GET, "/api/users").send()).bodyAsJsonObject().getJsonArray("users")
        .stream().map(JsonObject.class::cast).filter(u -> email.equals(u.getString("email"))).findFirst().orElseThrow()
        .getString("id");
  }

  /** The one mail received: the HTTP answer waits until the SMTP server took it, so it is there already. */
  private static MimeMessage onlyMail() {
    MimeMessage[] received = smtp.received();
    assertThat(received).hasSize(1);
    return received[0];
  }

  private static String linkIn(String body) {
    return body.lines().map(String::strip).filter(line -> line.startsWith("http")).findFirst().orElseThrow();
  }

  private static String token(String link) {
    return link.substring(link.lastIndexOf('/') + 1);
  }
}
