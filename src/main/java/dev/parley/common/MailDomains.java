package dev.parley.common;

import java.net.IDN;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * E-mail domains compared as the mail system sees them: an internationalised domain and its ASCII form
 * ({@code bücher.de} and {@code xn--bcher-kva.de}) are one domain, and case does not count.
 */
public final class MailDomains {

  /**
   * A plain address: none of the characters that make a display name ({@code Support <x@evil.test>}), a comment, a
   * list or a quoted part of it, which a mail client reads as another address than the one stored.
   */
  private static final Pattern PLAIN = Pattern.compile(
      "[^@\\s<>()\\[\\]\\\\,;:\"]{1,64}@[^@\\s.<>()\\[\\]\\\\,;:\"]+(\\.[^@\\s.<>()\\[\\]\\\\,;:\"]+)+");

  private MailDomains() {
  }

  /**
   * Whether {@code email} is one plain address of at most 254 characters, without control or format characters (a
   * bell, a zero-width space, a direction override), which would make two addresses that look alike or reach a header.
   */
  public static boolean isPlainAddress(String email) {
    return email.length() <= 254 && PLAIN.matcher(email).matches() && !UnicodeText.hasControlOrFormat(email);
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
