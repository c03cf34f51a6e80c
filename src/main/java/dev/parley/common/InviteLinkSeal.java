package dev.parley.common;

/**
 * Invite links on the event bus, sealed with the {@link SecretBox} every node shares ({@code PARLEY_SECRET_KEY}): the
 * HTTP edge makes the link, whose token signs its holder in once a password is set, and the mail component mails it,
 * possibly on another node. Only the link's holder and the invited person's mailbox ever see it in plain text.
 */
public final class InviteLinkSeal {

  private static final String BOUND_TO = "parley.mail.invite_link";

  private InviteLinkSeal() {
  }

  public static String seal(SecretBox box, String link) {
    return box.encrypt(link, BOUND_TO);
  }

  /** The link a bus message carried; 500 {@code secret_unreadable} when it cannot be opened (nodes with other keys). */
  public static String open(SecretBox box, String sealed) {
    try {
      return box.decrypt(sealed, BOUND_TO);
    } catch (ParleyException unreadable) {
      throw new ParleyException(ErrorCodes.INTERNAL, "secret_unreadable",
          "An invite link on the event bus cannot be read: every node needs the same PARLEY_SECRET_KEY");
    }
  }
}
