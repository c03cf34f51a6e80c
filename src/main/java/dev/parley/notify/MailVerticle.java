package dev.parley.notify;

import dev.parley.common.AccountClient;
import dev.parley.common.Addresses;
import dev.parley.common.BotClient;
import dev.parley.common.Bus;
import dev.parley.common.BusHandlers;
import dev.parley.common.SecretBox;
import dev.parley.common.Timeouts;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.StartTLSOptions;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * E-mail to a bot's people when a visitor asks for one: consumes the published
 * {@code parley.events.conversation.handoff_requested} and {@code parley.events.conversation.follow_up} and mails each
 * enabled operator whose role is {@code agent} or above and whose bots include the conversation's ({@link HandoffMail}).
 * And invite e-mails: {@code parley.mail.invite} {@code {email, role, invited_by?, link (sealed for that address),
 * expires_at}} → {@code {sent: true}} once the SMTP server took it; 422 {@code validation_failed} on {@code email},
 * 429 {@code mail_limited} (the address was mailed an invite in the last {@code invite_cooldown_s}, or {@code max_invites_per_hour}
 * were sent this hour on this node) or {@code mail_busy} ({@code max_in_flight} invites on their way), 500 when the
 * server refused it or said nothing for {@code smtp_idle_timeout_s} ({@link InviteMail}).
 * Deployed with the {@code bot} role; on a cluster with several such nodes, one node claims each event in the cluster's
 * shared map and only it sends. Without {@code smtp_host} it sends nothing and serves no invite address.
 *
 * <p>Config ({@code mail}, environment in brackets): {@code smtp_host} ({@code PARLEY_SMTP_HOST}), {@code smtp_port}
 * ({@code PARLEY_SMTP_PORT}, 587), {@code smtp_username} / {@code smtp_password} ({@code PARLEY_SMTP_USERNAME},
 * {@code PARLEY_SMTP_PASSWORD}; no login without a username), {@code smtp_tls} ({@code PARLEY_SMTP_TLS}:
 * {@code starttls} (default, required), {@code tls} (implicit TLS, port 465) or {@code none}), {@code from}
 * ({@code PARLEY_MAIL_FROM}, {@code parley@localhost}), {@code max_recipients} (50), {@code max_in_flight} (20 handoff
 * events and 20 invites on their way at once: events beyond are dropped with a warning, invites refused),
 * {@code max_per_bot_per_hour} (30: mails per bot and clock hour on this node; a session's follow-up is mailed once an
 * hour), {@code max_invites_per_hour} (60 invite mails per clock hour on this node), {@code invite_cooldown_s} (300: one invite
 * mail per address in that time, in the whole cluster). The password is never logged.
 */
public class MailVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(MailVerticle.class);

  static final int CONNECT_TIMEOUT_MS = 10_000;

  private MailClient client;

  @Override
  public Future<?> start() {
    JsonObject config = config();
    String host = config.getString("smtp_host");
    if (host == null || host.isBlank()) {
      LOG.info("No SMTP server configured (mail.smtp_host, PARLEY_SMTP_HOST): handoff e-mail is off");
      return Future.succeededFuture();
    }
    MailConfig mail;
    try {
      mail = mailConfig(config, host);
    } catch (IllegalArgumentException bad) {
      return Future.failedFuture(bad);
    }
    client = MailClient.create(vertx, mail);
    Timeouts timeouts = Timeouts.from(config.getJsonObject("timeouts"));
    Bus bus = new Bus(vertx);
    HandoffMail mailer = new HandoffMail(vertx, client, new BotClient(bus, timeouts), new AccountClient(bus, timeouts),
        config);
    List<MessageConsumer<JsonObject>> consumers = List.of(
        vertx.eventBus().consumer(Addresses.EVENTS_CONVERSATION_HANDOFF_REQUESTED, m -> mailer.handoff(m.body())),
        vertx.eventBus().consumer(Addresses.EVENTS_CONVERSATION_FOLLOW_UP, m -> mailer.followUp(m.body())));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .compose(v -> SecretBox.load(vertx, config))
        .compose(box -> BusHandlers.register(vertx, Addresses.MAIL_INVITE, new InviteMail(vertx, client, box, config)::send))
        .onSuccess(v -> LOG.info("Handoff and invite e-mail go through {}:{}", host, mail.getPort()));
  }

  @Override
  public Future<?> stop() {
    // a pooled SMTP connection the server already hung up fails its close: it is gone all the same
    return client == null ? Future.succeededFuture() : client.close().recover(closed -> {
      LOG.debug("Mail client closed with: {}", closed.toString());
      return Future.succeededFuture();
    });
  }

  static MailConfig mailConfig(JsonObject config, String host) {
    String tls = config.getString("smtp_tls", "starttls");
    // a server that takes the connection and never answers fails the mail instead of holding it (and its slot) for good
    MailConfig mail = new MailConfig().setHostname(host).setMaxPoolSize(4).setConnectTimeout(CONNECT_TIMEOUT_MS)
        .setIdleTimeout(config.getInteger("smtp_idle_timeout_s", 20));
    switch (tls) {
      case "starttls" -> mail.setStarttls(StartTLSOptions.REQUIRED).setPort(config.getInteger("smtp_port", 587));
      case "tls" -> mail.setSsl(true).setStarttls(StartTLSOptions.DISABLED).setPort(config.getInteger("smtp_port", 465));
      case "none" -> mail.setStarttls(StartTLSOptions.DISABLED).setPort(config.getInteger("smtp_port", 25));
      default -> throw new IllegalArgumentException("mail.smtp_tls must be starttls, tls or none");
    }
    String username = config.getString("smtp_username");
    if (username != null && !username.isBlank()) {
      mail.setUsername(username).setPassword(config.getString("smtp_password", "")).setLogin(LoginOption.REQUIRED);
    } else {
      mail.setLogin(LoginOption.DISABLED);
    }
    return mail;
  }
}
