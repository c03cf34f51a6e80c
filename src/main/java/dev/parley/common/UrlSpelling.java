package dev.parley.common;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How Parley reads a document URL before anything is fetched: absolute http(s) without user info, a host that is
 * not a number browsers and Java read differently nor an IPv6 address with a zone id, and one spelling per page
 * (scheme and host in lower case, no default port).
 */
public final class UrlSpelling {

  public static final Pattern DOTTED_QUAD =
      Pattern.compile("((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
  private static final Pattern SCHEME = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*):(?![0-9])");
  private static final Pattern HEX_NUMBER = Pattern.compile("0[xX][0-9a-fA-F]*");

  private UrlSpelling() {
  }

  /**
   * The URL as Parley accepts it: absolute http(s) with a host and no user info (422
   * {@code validation_failed} otherwise, {@code unsupported_scheme} for another scheme), and a host
   * that is not an ambiguous number or an IPv6 address with a zone id (422 {@code url_not_allowed}).
   */
  public static URI parse(String url) {
    String text = url == null ? "" : url.strip();
    Matcher prefix = SCHEME.matcher(text);
    String scheme = prefix.lookingAt() ? prefix.group(1).toLowerCase(Locale.ROOT) : "";
    if (!scheme.isEmpty() && !scheme.equals("http") && !scheme.equals("https")) {
      throw new ParleyException(ErrorCodes.UNPROCESSABLE, "unsupported_scheme",
          "'url' must be an http or https URL; Parley does not fetch " + scheme + ": URLs", "url", 0);
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException bad) {
      throw ParleyException.invalid("url", "'url' must be an absolute http or https URL");
    }
    if (uri.getScheme() == null) {
      throw ParleyException.invalid("url", "'url' must be an absolute http or https URL");
    }
    if (uri.getRawUserInfo() != null) {
      throw ParleyException.invalid("url", "'url' must be an absolute http or https URL without a user name or password");
    }
    String host = uri.getHost();
    if (host == null) {
      // java.net.URI leaves the host out when the last label is a number it cannot read as IPv4 ("127.1")
      String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority().replaceFirst(":[0-9]*$", "");
      if (endsInNumber(authority)) {
        throw ambiguousNumber(authority);
      }
      throw ParleyException.invalid("url", "'url' must be an absolute http or https URL");
    }
    if (host.startsWith("[")) {
      if (host.contains("%")) {
        throw notAllowed("The URL's IPv6 address carries a zone id (" + host + "); Parley fetches no link-local "
            + "addresses and browsers do not accept zone ids in URLs");
      }
    } else if (endsInNumber(host) && !DOTTED_QUAD.matcher(host).matches()) {
      throw ambiguousNumber(host);
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw ParleyException.invalid("url", "The URL's port must be between 1 and 65535");
    }
    return sameSpelling(uri);
  }

  /**
   * The URL with its scheme and host in lower case and no default port, as a browser writes it, so one page is
   * one document (a sitemap listing {@code https://Example.com/a} and {@code https://example.com:443/a} gives one);
   * path, query and fragment are kept byte for byte.
   */
  private static URI sameSpelling(URI uri) {
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    boolean standard = uri.getPort() == -1 || uri.getPort() == (scheme.equals("http") ? 80 : 443);
    String text = scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (standard ? "" : ":" + uri.getPort())
        + (uri.getRawPath() == null ? "" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
        + (uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment());
    return URI.create(text);
  }

  /** WHATWG URL: a host whose last label is a number is an IPv4 address to a browser, whatever else it holds. */
  public static boolean endsInNumber(String host) {
    String[] labels = host.split("\\.", -1);
    int last = labels.length - 1;
    if (labels[last].isEmpty() && last > 0) {
      last--;
    }
    String label = labels[last];
    return !label.isEmpty() && (label.chars().allMatch(c -> c >= '0' && c <= '9') || HEX_NUMBER.matcher(label).matches());
  }

  /** The IPv4 address a browser reads in a numeric host (WHATWG IPv4 parser), or null when it reads none. */
  public static String browserIpv4(String host) {
    List<String> parts = new ArrayList<>(List.of(host.split("\\.", -1)));
    if (parts.size() > 1 && parts.get(parts.size() - 1).isEmpty()) {
      parts.remove(parts.size() - 1);
    }
    if (parts.size() > 4) {
      return null;
    }
    long[] numbers = new long[parts.size()];
    for (int i = 0; i < parts.size(); i++) {
      String part = parts.get(i);
      int radix = 10;
      if (part.length() >= 2 && (part.startsWith("0x") || part.startsWith("0X"))) {
        radix = 16;
        part = part.substring(2);
      } else if (part.length() >= 2 && part.startsWith("0")) {
        radix = 8;
        part = part.substring(1);
      }
      if (parts.get(i).isEmpty() || part.length() > 12) {
        return null;
      }
      try {
        numbers[i] = part.isEmpty() ? 0 : Long.parseLong(part, radix);
      } catch (NumberFormatException notNumber) {
        return null;
      }
    }
    long address = numbers[numbers.length - 1];
    if (address >= 1L << (8 * (5 - numbers.length))) {
      return null;
    }
    for (int i = 0; i < numbers.length - 1; i++) {
      if (numbers[i] > 255) {
        return null;
      }
      address += numbers[i] << (8 * (3 - i));
    }
    return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "." + (address & 0xff);
  }

  private static ParleyException ambiguousNumber(String host) {
    String read = browserIpv4(host);
    return notAllowed("The URL's host " + host + " is an IP address written in a form that browsers and Java read "
        + "differently (octal, hexadecimal or fewer than four parts" + (read == null ? "" : "; a browser reads it as "
        + read) + "); write the address as four decimal numbers");
  }

  /** 422 {@code url_not_allowed}: an address Parley does not fetch from. */
  public static ParleyException notAllowed(String message) {
    return new ParleyException(ErrorCodes.UNPROCESSABLE, "url_not_allowed", message);
  }
}
