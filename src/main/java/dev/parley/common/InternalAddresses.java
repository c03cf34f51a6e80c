package dev.parley.common;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which addresses lead inside the operator's network, for the SSRF checks of {@link UrlFetcher}.
 *
 * <p>An IPv6 address that carries an IPv4 address is judged by what it carries, in every form a stack,
 * a translator or a tunnel reads one from: IPv4-mapped {@code ::ffff:a.b.c.d}, IPv4-compatible
 * {@code ::a.b.c.d}, IPv4-translated {@code ::ffff:0:a.b.c.d} (SIIT), NAT64 {@code 64:ff9b::a.b.c.d},
 * 6to4 {@code 2002:aabb:ccdd::/48}, Teredo {@code 2001:0::/32} (server, and client with its bits
 * inverted) and ISATAP interface ids {@code …:0:5efe:a.b.c.d} under any prefix. The local-use NAT64
 * prefix {@code 64:ff9b:1::/48} (RFC 8215) is internal whatever it carries: it reaches a translator
 * inside the network, and where the IPv4 address sits in it depends on a prefix length only that
 * network knows.
 */
public final class InternalAddresses {

  private InternalAddresses() {
  }

  public static boolean isInternal(InetAddress address) {
    if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
        || address.isAnyLocalAddress() || address.isMulticastAddress()) {
      return true;
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return first == 0 || (first == 100 && second >= 64 && second < 128) || (first == 192 && second == 0 && (b[2] & 0xff) == 0)
          || (first == 198 && (second == 18 || second == 19)) || first >= 240;
    }
    if (address instanceof Inet6Address) {
      if ((b[0] & 0xfe) == 0xfc) {
        return true; // unique local fc00::/7
      }
      if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
        return true; // site-local fec0::/10 (deprecated, still routed inside some networks)
      }
      if (u16(b, 0) == 0x0064 && u16(b, 2) == 0xff9b && u16(b, 4) == 0x0001) {
        return true; // local-use NAT64 64:ff9b:1::/48
      }
      if (u16(b, 0) == 0x0100 && zero(b, 2, 8)) {
        return true; // discard-only 100::/64
      }
      for (InetAddress carried : embeddedIpv4(b)) {
        if (isInternal(carried)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Every IPv4 address the 16 bytes of an IPv6 address carry, in the forms listed on the class. */
  static List<InetAddress> embeddedIpv4(byte[] b) {
    List<InetAddress> carried = new ArrayList<>();
    boolean zero64 = zero(b, 0, 8);
    if (zero64 && zero(b, 8, 12)) {
      carried.add(ipv4(b, 12, false)); // IPv4-compatible ::a.b.c.d (also :: and ::1)
    }
    if (zero64 && u16(b, 8) == 0 && u16(b, 10) == 0xffff) {
      carried.add(ipv4(b, 12, false)); // IPv4-mapped ::ffff:a.b.c.d
    }
    if (zero64 && u16(b, 8) == 0xffff && u16(b, 10) == 0) {
      carried.add(ipv4(b, 12, false)); // IPv4-translated ::ffff:0:a.b.c.d
    }
    if (u16(b, 0) == 0x0064 && u16(b, 2) == 0xff9b) {
      carried.add(ipv4(b, 12, false)); // NAT64 64:ff9b::/96
    }
    if (u16(b, 0) == 0x2002) {
      carried.add(ipv4(b, 2, false)); // 6to4 2002:a.b.c.d::/48
    }
    if (u16(b, 0) == 0x2001 && u16(b, 2) == 0) {
      carried.add(ipv4(b, 4, false)); // Teredo server
      carried.add(ipv4(b, 12, true)); // Teredo client, obfuscated by inverting every bit
    }
    if ((b[8] & 0xfc) == 0 && b[9] == 0 && u16(b, 10) == 0x5efe) {
      carried.add(ipv4(b, 12, false)); // ISATAP interface id 0:5efe:a.b.c.d (or 200:5efe with the u bit)
    }
    return carried;
  }

  private static int u16(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  private static boolean zero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static InetAddress ipv4(byte[] b, int at, boolean inverted) {
    byte[] four = new byte[4];
    for (int i = 0; i < 4; i++) {
      four[i] = (byte) (inverted ? ~b[at + i] : b[at + i]);
    }
    try {
      return InetAddress.getByAddress(four);
    } catch (UnknownHostException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
