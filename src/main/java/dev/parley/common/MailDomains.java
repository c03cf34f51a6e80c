package dev.parley.common;

import java.net.IDN;
import java.util.Locale;

/**
 * E-mail domains compared as the mail system sees them: an internationalised domain and its ASCII form
 * ({@code bücher.de} and {@code xn--bcher-kva.de}) are one domain, and case does not count.
 */
public final class MailDomains {

  private MailDomains() {
  }

  /** The domain in its ASCII form, lower case; as written (lower case) when it is not a valid domain name. */
  public static String ascii(String domain) {
    String trimmed = domain.strip();
    try {
      return IDN.toASCII(trimmed, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException notADomain) {
      return trimmed.toLowerCase(Locale.ROOT);
    }
  }

  /** The address with its domain in ASCII form, all in lower case: what makes two addresses one mailbox here. */
  public static String address(String email) {
    String address = email.strip();
    int at = address.lastIndexOf('@');
    return address.substring(0, at + 1).toLowerCase(Locale.ROOT) + ascii(address.substring(at + 1));
  }
}
