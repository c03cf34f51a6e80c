package dev.parley.notify;

import dev.parley.common.AccountClient;
import dev.parley.common.BotClient;
import dev.parley.common.Fields;
import dev.parley.common.Role;
import dev.parley.common.UnicodeText;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailMessage;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The e-mail of one handoff or follow-up event ({@link MailVerticle}): claims the event (so that one node of a cluster
 * sends it), finds the bot's name and its people (enabled, {@code agent} or above, their {@code bot_ids} covering the
 * bot), and mails each of them a short note with a link to the inbox. A follow-up's mail names the visitor's name and
 * address and answers to that address ({@code Reply-To}); no message text travels in the event or the mail.
 *
 * <p>A visitor can ask again and again, and from as many sessions as they like, so the mails are limited: one
 * follow-up mail per session and hour (later follow-ups of the session are in the inbox only), and at most
 * {@code max_per_bot_per_hour} mails (events) per bot and clock hour on this node; events beyond are dropped with
 * one warning per bot and hour.
 */
final class HandoffMail {

  private static final Logger LOG = LoggerFactory.getLogger(HandoffMail.class);
  private static final String CLAIMS = "parley.mail.claims";
  private static final long CLAIM_TTL_MS = 3_600_000L;

  private final Vertx vertx;
  private final MailClient client;
  private final BotClient bots;
  private final AccountClient accounts;
  private final String from;
  private final String inboxUrl;
  private final int maxRecipients;
  private final int maxInFlight;
  private final int maxPerBotPerHour;
  private final HourlyCounts sentThisHour = new HourlyCounts();
  private int inFlight;

  HandoffMail(Vertx vertx, MailClient client, BotClient bots, AccountClient accounts, JsonObject config) {
    this.vertx = vertx;
    this.client = client;
    this.bots = bots;
    this.accounts = accounts;
    this.from = config.getString("from", "parley@localhost");
    this.inboxUrl = config.getString("public_url", "http://localhost:8000").replaceAll("/+$", "") + "/admin/#/inbox";
    this.maxRecipients = config.getInteger("max_recipients", 50);
    this.maxInFlight = config.getInteger("max_in_flight", 20);
    this.maxPerBotPerHour = config.getInteger("max_per_bot_per_hour", 30);
  }

  void handoff(JsonObject event) {
    send("handoff", event);
  }

  void followUp(JsonObject event) {
    send("follow_up", event);
  }

  private void send(String kind, JsonObject event) {
    String botId = event.getString(Fields.BOT_ID);
    if (botId == null) {
      return;
    }
    if (inFlight >= maxInFlight) {
      LOG.warn("Too many handoff e-mails in flight: the {} e-mail of bot {} is dropped", kind, botId);
      return;
    }
    inFlight++;
    // a follow-up is claimed per session (one mail an hour however often the visitor sends the form), a handoff per request
    String key = kind + "|" + botId + "|" + event.getString(Fields.SESSION_ID)
        + (kind.equals("follow_up") ? "" : "|" + event.getValue(Fields.AT));
    vertx.sharedData().<String, Boolean>getAsyncMap(CLAIMS)
        .compose(claims -> claims.putIfAbsent(key, true, CLAIM_TTL_MS))
        .compose(earlier -> earlier != null || !withinHourlyLimit(kind, botId) ? Future.succeededFuture(0)
            : mail(kind, botId, event))
        .onComplete(done -> {
          inFlight--;
          if (done.failed()) {
            LOG.warn("The {} e-mail of bot {} could not be sent: {}", kind, botId, done.cause().getMessage());
          } else if (done.result() > 0) {
            LOG.info("Sent the {} e-mail of bot {} to {} people", kind, botId, done.result());
          }
        });
  }

  /** Counts one mail of the bot in this clock hour; false (warning once) past {@code max_per_bot_per_hour}. */
  private boolean withinHourlyLimit(String kind, String botId) {
    int sent = sentThisHour.add(botId);
    if (sent == maxPerBotPerHour + 1) {
      LOG.warn("Bot {} reached mail.max_per_bot_per_hour ({}): its handoff e-mails wait for the next hour, the inbox "
          + "still lists every request", botId, maxPerBotPerHour);
    }
    if (sent > maxPerBotPerHour) {
      LOG.debug("The {} e-mail of bot {} is over the hourly limit and dropped", kind, botId);
      return false;
    }
    return true;
  }

  private Future<Integer> mail(String kind, String botId, JsonObject event) {
    return Future.all(bots.get(null, botId), accounts.listUsers(null)).compose(both -> {
      JsonObject bot = both.resultAt(0);
      List<String> to = recipients(both.resultAt(1), botId);
      if (to.isEmpty()) {
        return Future.succeededFuture(0);
      }
      List<Future<?>> sent = new ArrayList<>();
      for (String address : to) {
        sent.add(client.sendMail(message(kind, bot, event).setTo(address)));
      }
      return Future.join(sent).map(all -> to.size());
    });
  }

  private List<String> recipients(JsonArray users, String botId) {
    List<String> to = new ArrayList<>();
    for (Object item : users) {
      JsonObject user = (JsonObject) item;
      Role role = Role.parse(user.getString(Fields.ROLE));
      JsonArray scope = user.getJsonArray(Fields.BOT_IDS);
      String email = user.getString(Fields.EMAIL);
      if (role != null && role.atLeast(Role.AGENT) && !user.getBoolean("disabled", false) && email != null
          && (scope == null || scope.contains(botId)) && to.size() < maxRecipients && !to.contains(email)) {
        to.add(email);
      }
    }
    return to;
  }

  private MailMessage message(String kind, JsonObject bot, JsonObject event) {
    String botName = oneLine(bot.getString(Fields.NAME, "a bot"), 100);
    StringBuilder text = new StringBuilder();
    MailMessage message = new MailMessage().setFrom(from);
    if (kind.equals("follow_up")) {
      String name = oneLine(event.getString(Fields.NAME, ""), 100);
      String email = oneLine(event.getString(Fields.EMAIL, ""), 254);
      message.setSubject("Follow-up request on " + botName);
      text.append("A visitor of ").append(botName).append(" asked to be contacted: no one was available.\n\n")
          .append("Name: ").append(name).append("\nE-mail: ").append(email).append("\n");
      if (email.contains("@")) {
        message.setHeaders(io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("Reply-To", email));
      }
    } else {
      message.setSubject("A visitor of " + botName + " asks for a person");
      text.append("A visitor of ").append(botName).append(" is waiting for a person");
      String trigger = event.getString(Fields.TRIGGER);
      if (trigger != null && !trigger.equals("visitor")) {
        text.append(" (").append(oneLine(trigger, 40)).append(")");
      }
      text.append(".\n");
    }
    text.append("\nOpen the inbox: ").append(inboxUrl).append("\n");
    return message.setText(text.toString());
  }

  /** {@code value} on one line (no header or body injection) and at most {@code max} characters. */
  static String oneLine(String value, int max) {
    String flat = value.replaceAll("[\\r\\n\\t\\x00-\\x1f]+", " ").strip();
    return flat.length() > max ? UnicodeText.prefix(flat, max) + "…" : flat;
  }
}
