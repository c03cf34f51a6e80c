package dev.parley.http;

import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.Fields;
import dev.parley.common.InviteLinkSeal;
import dev.parley.common.ParleyException;
import dev.parley.common.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the mail component to mail an invited person their link ({@link Addresses#MAIL_INVITE}), the link sealed for
 * the bus and that address. Completes with what became of the mail ({@code invite_mail} in the answer): {@code sent};
 * {@code off} (no SMTP server is configured: no one serves the address); {@code limited} (the address was mailed an
 * invite minutes ago, or the mail component's hourly or in-flight limit was reached); {@code failed} (the server
 * refused it or did not answer); {@code unconfirmed} (no answer within {@link #TIMEOUT_MS}: it may still arrive).
 * Whoever invited still has the link in the answer whatever became of the mail.
 */
final class InviteMails {

  /** Longer than the mail component's connect and idle timeouts together, so that an answer is nearly always sure. */
  static final long TIMEOUT_MS = 35_000;

  private static final Logger LOG = LoggerFactory.getLogger(InviteMails.class);

  private final Bus bus;
  private final SecretBox box;

  InviteMails(Bus bus, SecretBox box) {
    this.bus = bus;
    this.box = box;
  }

  /** Mails {@code user} (as the account component answered it) the invite {@code link}, from {@code actor}. */
  Future<String> send(String requestId, JsonObject actor, JsonObject user, String link, long expiresAt) {
    String email = user.getString(Fields.EMAIL);
    return Future.<Void>succeededFuture()
        .compose(start -> bus.request(requestId, Addresses.MAIL_INVITE, new JsonObject().put(Fields.EMAIL, email)
            .put(Fields.ROLE, user.getString(Fields.ROLE)).put("invited_by", actor.getString(Fields.NAME))
            .put("link", InviteLinkSeal.seal(box, link, email)).put("expires_at", expiresAt), TIMEOUT_MS))
        .map(sent -> "sent")
        .recover(failed -> {
          String status = status(failed);
          LOG.info("The invite of user {} was not mailed ({}): {}", user.getString(Fields.ID), status,
              failed.getMessage());
          return Future.succeededFuture(status);
        });
  }

  private static String status(Throwable failed) {
    String code = failed instanceof ParleyException known ? known.code() : "";
    return switch (code) {
      case "service_unavailable" -> "off";
      case "mail_limited", "mail_busy" -> "limited";
      case "timeout" -> "unconfirmed";
      default -> "failed";
    };
  }
}
