package dev.parley.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The address of the client behind a request. It is the peer of the TCP connection, unless that
 * peer is one of {@code http.trusted_proxies} (IPs or CIDR blocks): then {@code X-Forwarded-For}
 * is read from the right, skipping trusted proxies, and the first address that is not one is the
 * client. A header sent by anyone else is ignored, so a visitor cannot pick its own address.
 * Only IP literals are parsed (never a DNS lookup).
 */
final class ClientAddress {

  private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private record Block(byte[] network, int bits) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Block> trusted = new ArrayList<>();

  /** {@code proxies}: entries like {@code 10.0.0.5}, {@code 10.0.0.0/8}, {@code ::1}, {@code fd00::/8}. */
  ClientAddress(JsonArray proxies) {
    if (proxies == null) {
      return;
    }
    for (Object entry : proxies) {
      String text = String.valueOf(entry).trim();
      int slash = text.indexOf('/');
      byte[] network = parse(slash < 0 ? text : text.substring(0, slash));
      if (network == null) {
        throw new IllegalArgumentException("http.trusted_proxies: '" + text + "' is not an IP address or CIDR block");
      }
      int bits = network.length * 8;
      if (slash >= 0) {
        try {
          bits = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException bad) {
          bits = -1;
        }
        if (bits < 0 || bits > network.length * 8) {
          throw new IllegalArgumentException("http.trusted_proxies: '" + text + "' has an invalid prefix length");
        }
      }
      trusted.add(new Block(network, bits));
    }
  }

  /** The client's address as text ({@code "unknown"} when the connection has none, e.g. a domain socket). */
  String of(HttpServerRequest request) {
    SocketAddress remote = request.remoteAddress();
    String peer = remote == null || remote.hostAddress() == null ? "unknown" : remote.hostAddress();
    if (trusted.isEmpty() || !isTrusted(peer)) {
      return canonical(peer);
    }
    List<String> hops = new ArrayList<>();
    for (String header : request.headers().getAll("X-Forwarded-For")) {
      for (String hop : header.split(",")) {
        hops.add(hop.trim());
      }
    }
    String client = peer;
    for (int i = hops.size() - 1; i >= 0; i--) {
      String hop = stripPort(hops.get(i));
      if (parse(hop) == null) {
        break;
      }
      client = hop;
      if (!isTrusted(hop)) {
        break;
      }
    }
    return canonical(client);
  }

  boolean isTrusted(String address) {
    byte[] bytes = parse(address);
    if (bytes == null) {
      return false;
    }
    for (Block block : trusted) {
      if (block.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  private static String canonical(String address) {
    byte[] bytes = parse(address);
    if (bytes == null) {
      return address;
    }
    try {
      return InetAddress.getByAddress(bytes).getHostAddress();
    } catch (UnknownHostException impossible) {
      return address;
    }
  }

  /** {@code 1.2.3.4:80} → {@code 1.2.3.4}; {@code [::1]:80} → {@code ::1}. */
  private static String stripPort(String hop) {
    if (hop.startsWith("[")) {
      int end = hop.indexOf(']');
      return end > 0 ? hop.substring(1, end) : hop;
    }
    int colon = hop.indexOf(':');
    if (colon > 0 && hop.indexOf(':', colon + 1) < 0) {
      return hop.substring(0, colon);
    }
    return hop;
  }

  /** The bytes of an IPv4 or IPv6 literal (IPv4-mapped IPv6 comes back as IPv4), or null. Never resolves names. */
  static byte[] parse(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    String literal = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    boolean v4 = IPV4.matcher(literal).matches();
    if (!v4 && !(literal.indexOf(':') >= 0 && IPV6.matcher(literal).matches())) {
      return null;
    }
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException | SecurityException bad) {
      return null;
    }
  }
}
