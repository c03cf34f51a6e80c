package dev.parley.notify;

import dev.parley.common.Fields;
import dev.parley.common.InviteLinkSeal;
import dev.parley.common.MailDomains;
import dev.parley.common.ParleyException;
import dev.parley.common.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.mailencoder.EmailAddress;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailMessage;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The e-mail of an invite ({@link MailVerticle}, {@code parley.mail.invite}): opens the sealed link and mails it to the
 * invited person, saying who invited them, as what, and until when the link works. The mail carries no text the
 * inviting person chose but their own name, so that Parley's mail server cannot be made to relay a message.
 *
 * <p>Limited, as whoever invites may loop the new-link route: one mail per address every {@code invite_cooldown_s}
 * (300) in the whole cluster (claimed in its shared map), {@code max_invites_per_hour} per node and clock
 * hour, and {@code max_in_flight} on their way at once; past any of them a request is refused (429 {@code mail_limited}
 * or {@code mail_busy}) and whoever invited still has the link to pass on. The link is never logged.
 */
final class InviteMail {

  static final DateTimeFormatter EXPIRY = DateTimeFormatter.ofPattern("d MMMM yyyy, HH:mm 'UTC'", Locale.ENGLISH)
      .withZone(ZoneOffset.UTC);
  private static final String CLAIMS = "parley.mail.invite_claims";

  private final Vertx vertx;
  private final MailClient client;
  private final SecretBox box;
  private final String from;
  private final int maxInFlight;
  private final int maxPerHour;
  private final long cooldownMs;
  private final HourlyCounts sentThisHour = new HourlyCounts();
  private int inFlight;

  InviteMail(Vertx vertx, MailClient client, SecretBox box, JsonObject config) {
    this.vertx = vertx;
    this.client = client;
    this.box = box;
    this.from = config.getString("from", "parley@localhost");
    this.maxInFlight = config.getInteger("max_in_flight", 20);
    this.maxPerHour = config.getInteger("max_invites_per_hour", 60);
    // at least a second: the shared map takes no shorter expiry (0 is an error here and "never" on Hazelcast)
    this.cooldownMs = Math.max(1, config.getLong("invite_cooldown_s", 300L)) * 1000;
  }

  Future<JsonObject> send(JsonObject request) {
    String to = request.getString(Fields.EMAIL);
    String sealed = request.getString("link");
    if (to == null || sealed == null || !deliverable(to)) {
      return Future.failedFuture(ParleyException.invalid("email", "An invite e-mail needs one plain address and a link"));
    }
    if (inFlight >= maxInFlight) {
      return Future.failedFuture(new ParleyException(429, "mail_busy", "Too many e-mails on their way: pass the link on"));
    }
    MailMessage message;
    try {
      message = message(to, request, InviteLinkSeal.open(box, sealed, to));
    } catch (ParleyException unreadable) {
      return Future.failedFuture(unreadable);
    }
    inFlight++;
    String key = MailDomains.address(to); // one mailbox, however its domain or case is written
    return vertx.sharedData().<String, Boolean>getAsyncMap(CLAIMS).compose(claims -> claims
            .putIfAbsent(key, true, cooldownMs)
            .compose(earlier -> {
              if (earlier != null) {
                return Future.failedFuture(limited());
              }
              if (!withinHour()) {
                claims.remove(key); // the hour refused it, not the address
                return Future.failedFuture(limited());
              }
              // a mail that did not go does not hold the address back
              return client.sendMail(message).onFailure(failed -> claims.remove(key));
            }))
        .<JsonObject>map(sent -> new JsonObject().put("sent", true))
        .onComplete(done -> inFlight--);
  }

  private static ParleyException limited() {
    return new ParleyException(429, "mail_limited",
        "An invite was mailed to this address a few minutes ago, or too many this hour: pass the link on");
  }

  /** Whether the mail client reads {@code to} as exactly that one address (no display name, comment or list). */
  private static boolean deliverable(String to) {
    try {
      return to.equals(HandoffMail.oneLine(to, 254)) && to.equals(new EmailAddress(to).getEmail());
    } catch (IllegalArgumentException unreadable) {
      return false;
    }
  }

  private boolean withinHour() {
    return sentThisHour.add("") <= maxPerHour;
  }

  private MailMessage message(String to, JsonObject request, String link) {
    String by = line(request, "invited_by", 100);
    String role = line(request, Fields.ROLE, 20);
    StringBuilder text = new StringBuilder("Hello,\n\n")
        .append(by.isEmpty() ? "You have been invited" : by + " invited you").append(" to Parley")
        .append(role.isEmpty() ? "" : " as " + role).append(".\n\nSet your password here; the link works once");
    if (request.getValue("expires_at") instanceof Number expires) {
      text.append(" and until ").append(EXPIRY.format(Instant.ofEpochMilli(expires.longValue())));
    }
    text.append(":\n\n").append(link).append("\n\nIf you did not expect this, you can ignore this e-mail.\n");
    return new MailMessage().setFrom(from).setTo(to).setSubject("You are invited to Parley").setText(text.toString());
  }

  /** The request's text at {@code key} on one line and at most {@code max} characters; "" when absent or not text. */
  private static String line(JsonObject request, String key, int max) {
    return request.getValue(key) instanceof String text ? HandoffMail.oneLine(text, max) : "";
  }
}
