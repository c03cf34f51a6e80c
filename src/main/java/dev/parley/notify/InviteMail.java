package dev.parley.notify;

import dev.parley.common.Fields;
import dev.parley.common.InviteLinkSeal;
import dev.parley.common.ParleyException;
import dev.parley.common.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailMessage;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The e-mail of an invite ({@link MailVerticle}, {@code parley.mail.invite}): opens the sealed link and mails it to the
 * invited person, saying who invited them, as what, and until when the link works. At most {@code max_in_flight}
 * invites are on their way at once on this node; past that a request is refused (429 {@code mail_busy}), and whoever
 * invited still has the link to pass on. The link is never logged.
 */
final class InviteMail {

  static final DateTimeFormatter EXPIRY = DateTimeFormatter.ofPattern("d MMMM yyyy, HH:mm 'UTC'", Locale.ENGLISH)
      .withZone(ZoneOffset.UTC);

  private final MailClient client;
  private final SecretBox box;
  private final String from;
  private final int maxInFlight;
  private int inFlight;

  InviteMail(MailClient client, SecretBox box, JsonObject config) {
    this.client = client;
    this.box = box;
    this.from = config.getString("from", "parley@localhost");
    this.maxInFlight = config.getInteger("max_in_flight", 20);
  }

  Future<JsonObject> send(JsonObject request) {
    String to = request.getString(Fields.EMAIL);
    String sealed = request.getString("link");
    if (to == null || !to.equals(HandoffMail.oneLine(to, 254)) || to.indexOf('@') < 1 || sealed == null) {
      return Future.failedFuture(ParleyException.invalid("email", "An invite e-mail needs an address and a link"));
    }
    if (inFlight >= maxInFlight) {
      return Future.failedFuture(new ParleyException(429, "mail_busy", "Too many e-mails on their way: pass the link on"));
    }
    MailMessage message;
    try {
      message = message(to, request, InviteLinkSeal.open(box, sealed));
    } catch (ParleyException unreadable) {
      return Future.failedFuture(unreadable);
    }
    inFlight++;
    return client.sendMail(message)
        .<JsonObject>map(sent -> new JsonObject().put("sent", true))
        .onComplete(done -> inFlight--);
  }

  private MailMessage message(String to, JsonObject request, String link) {
    String name = line(request, Fields.NAME, 100);
    String by = line(request, "invited_by", 100);
    String role = line(request, Fields.ROLE, 20);
    StringBuilder text = new StringBuilder(name.isEmpty() ? "Hello,\n\n" : "Hello " + name + ",\n\n")
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
