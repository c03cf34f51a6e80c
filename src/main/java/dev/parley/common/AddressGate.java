package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Where a URL may lead: an allowed port, a host that is not a name reserved for private networks, and addresses
 * (resolved once, through the {@link Resolver}) none of which is internal ({@link InternalAddresses}), unless
 * {@code allow_private_urls} is on. The caller then connects to the address that was checked, so a DNS answer
 * that changes in between (rebinding) does not matter. Used by knowledge ingestion ({@code rag}) and HTTP tools
 * ({@code tool}); {@code setting} names the config section an operator changes ({@code rag}, {@code tool}).
 */
public final class AddressGate {

  /**
   * How a host name becomes addresses. The default is {@link InetAddress#getAllByName}; tests give their
   * own, because Java 17 has no resolver SPI to make the JVM's DNS answer differently.
   */
  @FunctionalInterface
  public interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /** Which addresses a gate lets through: private ones or not, and the ports (empty: any). */
  public record Policy(boolean allowPrivate, Set<Integer> ports) {
  }

  private final Vertx vertx;
  private final Policy limits;
  private final Resolver resolver;
  private final Predicate<InetAddress> internal;
  private final String setting;

  public AddressGate(Vertx vertx, Policy limits, Resolver resolver, Predicate<InetAddress> internal, String setting) {
    this.vertx = vertx;
    this.limits = limits;
    this.resolver = resolver;
    this.internal = internal;
    this.setting = setting;
  }

  /**
   * Checks the port, resolves the host once and fails with 422 {@code url_not_allowed} if it points
   * inside the network; the address to connect to otherwise.
   */
  public Future<InetAddress> check(URI uri) {
    int port = port(uri);
    if (!limits.ports().isEmpty() && !limits.ports().contains(port)) {
      return Future.failedFuture(UrlSpelling.notAllowed("The URL's port " + port + " is not one Parley fetches from (allowed: "
          + String.join(", ", limits.ports().stream().sorted().map(String::valueOf).toList()) + "; " + setting
          + ".allowed_url_ports)"));
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    if (!limits.allowPrivate() && privateName(host)) {
      return Future.failedFuture(UrlSpelling.notAllowed("The URL's host " + host + " is a name reserved for private networks; "
          + "Parley fetches only public addresses (an operator can allow private ones with " + setting + ".allow_private_urls)"));
    }
    return vertx.executeBlocking(() -> {
      InetAddress[] addresses;
      try {
        addresses = literal(host) ? new InetAddress[] {InetAddress.getByName(host)} : resolver.resolve(host);
      } catch (UnknownHostException unknown) {
        addresses = null;
      }
      if (addresses == null || addresses.length == 0) {
        throw new ParleyException(ErrorCodes.UNPROCESSABLE, "url_unresolvable", "The URL's host name does not resolve");
      }
      if (!limits.allowPrivate()) {
        for (InetAddress address : addresses) {
          if (internal.test(address)) {
            throw UrlSpelling.notAllowed("The URL points to a private, loopback or link-local address; Parley fetches only public "
                + "addresses (an operator can allow private ones with " + setting + ".allow_private_urls)");
          }
        }
      }
      return addresses[0];
    }, false);
  }

  private static boolean literal(String host) {
    return host.startsWith("[") || UrlSpelling.DOTTED_QUAD.matcher(host).matches();
  }

  private static boolean privateName(String host) {
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    return name.equals("localhost") || name.endsWith(".localhost") || name.endsWith(".internal")
        || name.endsWith(".local") || name.endsWith(".home.arpa");
  }

  public static int port(URI uri) {
    return uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }
}
