package dev.parley.common;

import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Web origins and http(s) URLs written the way a browser writes them, so that what an operator saves
 * compares equal to what a browser sends: scheme and host in lower case, an international host name in
 * punycode ({@code bücher.example} → {@code xn--bcher-kva.example}), an IPv6 address in its shortest form
 * inside brackets, the default port (80, 443) left out. A host that a browser would read as another IPv4
 * address than it shows ({@code 0x7f.1}, {@code 010.0.0.1}), a percent-escaped host and an IPv6 zone id
 * are refused. Whatever is refused is a 422 {@code validation_failed} naming the field.
 */
public final class WebAddresses {

  private static final Pattern SHAPE = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)(.*)", Pattern.DOTALL);
  private static final Pattern LABEL = Pattern.compile("[a-z0-9_-]{1,63}");
  private static final Pattern NUMBER = Pattern.compile("[0-9]+|0[xX][0-9a-fA-F]*");
  private static final Pattern DOTTED_QUAD =
      Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  private static final int SHOWN = 100;

  private WebAddresses() {
  }

  private record Parts(String scheme, String userInfo, String host, String port, String rest) {
    String origin() {
      return scheme + "://" + host + port;
    }
  }

  /** Why a text is not accepted; callers turn it into their own error. */
  private static final class Refused extends RuntimeException {
    Refused(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * An {@code allowed_origins} entry in the form browsers send in {@code Origin}: scheme, host and a port
   * other than the default. A lone trailing {@code /} is dropped; a path, query, fragment or user info is
   * refused, and so is {@code *} (an empty list already means any site).
   */
  public static String origin(String field, String text) {
    if (text.strip().equals("*")) {
      throw ParleyException.invalid(field, "'" + field + "' takes no '*': leave the list empty to allow any site");
    }
    try {
      return exactOrigin(text.strip());
    } catch (Refused refused) {
      throw ParleyException.invalid(field, "'" + field + "' entry \"" + shown(text) + "\" is not an origin like "
          + "https://shop.example (scheme, host, optional port): " + refused.getMessage());
    }
  }

  /** The visitor's {@code Origin} header (or a stored entry) written as {@link #origin} writes it, or null if it is none. */
  public static String originOrNull(String text) {
    try {
      return text == null ? null : exactOrigin(text);
    } catch (Refused refused) {
      return null;
    }
  }

  /** The origin of an http(s) URL that may have a path ({@code public_url}), or null if it is not one. */
  public static String originOfUrl(String url) {
    try {
      return url == null ? null : split(url.strip()).origin();
    } catch (Refused refused) {
      return null;
    }
  }

  /**
   * An http(s) URL with its scheme and authority written as a browser writes them and no trailing
   * {@code /} (a {@code base_url} is joined with {@code /chat/completions}); path, query and fragment are
   * kept as given. {@code userInfo} says whether {@code user:password@} is allowed.
   */
  public static String url(String field, String text, boolean userInfo) {
    try {
      Parts parts = split(text.strip());
      if (parts.userInfo != null && !userInfo) {
        throw new Refused("it must not carry a user name or password");
      }
      String rest = parts.rest;
      if (rest.indexOf('?') < 0 && rest.indexOf('#') < 0) {
        rest = rest.replaceFirst("/+$", "");
      }
      String url = parts.scheme + "://" + (parts.userInfo == null ? "" : parts.userInfo + "@") + parts.host + parts.port
          + rest;
      URI uri = new URI(url);
      if (uri.getHost() == null) {
        throw new Refused("its host is not a valid host name");
      }
      return url;
    } catch (Refused refused) {
      throw ParleyException.invalid(field, "'" + field + "' must be an http or https URL: " + refused.getMessage());
    } catch (URISyntaxException bad) {
      throw ParleyException.invalid(field, "'" + field + "' must be an http or https URL (it has characters a URL "
          + "cannot hold; escape them)");
    }
  }

  private static String exactOrigin(String text) {
    Parts parts = split(text);
    if (parts.userInfo != null) {
      throw new Refused("it carries a user name or password");
    }
    if (parts.rest.startsWith("?")) {
      throw new Refused("it has a query");
    }
    if (parts.rest.startsWith("#")) {
      throw new Refused("it has a fragment");
    }
    if (!parts.rest.isEmpty() && !parts.rest.equals("/")) {
      throw new Refused("it has a path");
    }
    return parts.origin();
  }

  private static Parts split(String text) {
    Matcher shape = SHAPE.matcher(text);
    if (!shape.matches()) {
      throw new Refused("it does not start with http:// or https://");
    }
    String scheme = shape.group(1).toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new Refused("its scheme is not http or https");
    }
    String authority = shape.group(2);
    int at = authority.lastIndexOf('@');
    String userInfo = at < 0 ? null : authority.substring(0, at);
    String hostPort = authority.substring(at + 1);
    String host;
    String port = "";
    if (hostPort.startsWith("[")) {
      int end = hostPort.indexOf(']');
      if (end < 0) {
        throw new Refused("its IPv6 address has no closing ]");
      }
      host = ipv6(hostPort.substring(1, end));
      port = hostPort.substring(end + 1);
    } else {
      int colon = hostPort.lastIndexOf(':');
      host = name(colon < 0 ? hostPort : hostPort.substring(0, colon));
      port = colon < 0 ? "" : hostPort.substring(colon);
    }
    return new Parts(scheme, userInfo, host, port(scheme, port), shape.group(3));
  }

  private static String port(String scheme, String text) {
    if (text.isEmpty()) {
      return "";
    }
    if (!text.matches(":[0-9]{1,5}")) {
      throw new Refused("its port is not a number from 1 to 65535");
    }
    int port = Integer.parseInt(text.substring(1));
    if (port < 1 || port > 65_535) {
      throw new Refused("its port is not a number from 1 to 65535");
    }
    boolean standard = scheme.equals("http") ? port == 80 : port == 443;
    return standard ? "" : ":" + port;
  }

  private static String name(String raw) {
    if (raw.isEmpty()) {
      throw new Refused("it has no host");
    }
    if (raw.indexOf('%') >= 0) {
      throw new Refused("its host is percent-escaped; write the name itself");
    }
    String ascii;
    try {
      ascii = IDN.toASCII(raw, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException bad) {
      throw new Refused("its host is not a valid international domain name");
    }
    String[] labels = ascii.split("\\.", -1);
    int last = labels.length - 1;
    if (last > 0 && labels[last].isEmpty()) {
      last--;
    }
    for (int i = 0; i <= last; i++) {
      if (!LABEL.matcher(labels[i]).matches()) {
        throw new Refused("its host is not a valid host name");
      }
    }
    if (NUMBER.matcher(labels[last]).matches() && !DOTTED_QUAD.matcher(ascii).matches()) {
      throw new Refused("its host is an IP address written in a form browsers read as another address; "
          + "write it as four decimal numbers like 192.0.2.1");
    }
    return ascii;
  }

  private static String ipv6(String literal) {
    if (!IPV6.matcher(literal).matches() || literal.indexOf(':') < 0) {
      throw new Refused("its IPv6 address is not valid (zone ids are not allowed)");
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException bad) {
      throw new Refused("its IPv6 address is not valid");
    }
    if (bytes.length == 4) {
      // Java hands back an IPv4-mapped address (::ffff:a.b.c.d) as IPv4; browsers keep it IPv6
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(bytes, 0, mapped, 12, 4);
      bytes = mapped;
    }
    return "[" + compressed(bytes) + "]";
  }

  /** RFC 5952 / WHATWG: lower-case hex groups, the first longest run of two or more zero groups as {@code ::}. */
  private static String compressed(byte[] bytes) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }

  private static String shown(String text) {
    return text.length() > SHOWN ? text.substring(0, SHOWN) + "…" : text;
  }
}
