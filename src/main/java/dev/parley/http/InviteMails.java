package dev.parley.http;

import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.Fields;
import dev.parley.common.InviteLinkSeal;
import dev.parley.common.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the mail component to mail an invited person their link ({@link Addresses#MAIL_INVITE}), the link sealed for
 * the bus. Completes with whether the mail went: false when no SMTP server is configured (no one serves the address),
 * the mail component is busy, or the server refused it; whoever invited still has the link in the answer either way.
 */
final class InviteMails {

  private static final Logger LOG = LoggerFactory.getLogger(InviteMails.class);

  private final Bus bus;
  private final SecretBox box;
  private final long timeoutMs;

  InviteMails(Bus bus, SecretBox box, long timeoutMs) {
    this.bus = bus;
    this.box = box;
    this.timeoutMs = timeoutMs;
  }

  /** Mails {@code user} (as the account component answered it) the invite {@code link}, from {@code actor}. */
  Future<Boolean> send(String requestId, JsonObject actor, JsonObject user, String link, long expiresAt) {
    String invitedBy = actor.getString(Fields.NAME) != null && !actor.getString(Fields.NAME).isBlank()
        ? actor.getString(Fields.NAME) : actor.getString(Fields.EMAIL);
    JsonObject request = new JsonObject().put(Fields.EMAIL, user.getString(Fields.EMAIL))
        .put(Fields.NAME, user.getString(Fields.NAME)).put(Fields.ROLE, user.getString(Fields.ROLE))
        .put("invited_by", invitedBy).put("link", InviteLinkSeal.seal(box, link)).put("expires_at", expiresAt);
    return bus.request(requestId, Addresses.MAIL_INVITE, request, timeoutMs)
        .map(sent -> true)
        .recover(failed -> {
          LOG.info("The invite of user {} was not mailed: {}", user.getString(Fields.ID), failed.getMessage());
          return Future.succeededFuture(false);
        });
  }
}
