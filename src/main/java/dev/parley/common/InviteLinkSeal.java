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

  /** The link sealed for the mail to {@code email} only: opened for another address, it does not open. */
  public static String seal(SecretBox box, String link, String email) {
    return box.encrypt(link, BOUND_TO + '\n' + email);
  }

  /**
   * The link a bus message carried for {@code email}; 500 {@code secret_unreadable} when it cannot be opened (nodes
   * with other keys, or another address). Not kept in memory once opened.
   */
  public static String open(SecretBox box, String sealed, String email) {
    try {
      return box.decryptOnce(sealed, BOUND_TO + '\n' + email);
    } catch (ParleyException unreadable) {
      throw new ParleyException(ErrorCodes.INTERNAL, "secret_unreadable",
          "An invite link on the event bus cannot be read: every node needs the same PARLEY_SECRET_KEY");
    }
  }
}
