package dev.parley.rag;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.codec.BodyCodec;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Fetches a page for ingestion without letting an operator's URL reach inside the network
 * (SSRF): the host is resolved first and refused if any address is loopback, private,
 * link-local, carrier-grade NAT, multicast or unspecified (unless {@code allow_private_urls}
 * is on), and the connection then goes to the address that was checked, so a DNS answer that
 * changes in between does not matter. Redirects are followed by hand, each hop checked the
 * same way; bodies stop at {@code maxBytes}.
 */
final class UrlFetcher {

  /** A fetched page. */
  record Page(String url, String contentType, byte[] body) {
  }

  private static final int MAX_REDIRECTS = 5;

  private final Vertx vertx;
  private final WebClient client;
  private final boolean allowPrivate;
  private final long maxBytes;
  private final long timeoutMs;

  UrlFetcher(Vertx vertx, boolean allowPrivate, long maxBytes, long timeoutMs) {
    this.vertx = vertx;
    this.allowPrivate = allowPrivate;
    this.maxBytes = maxBytes;
    this.timeoutMs = timeoutMs;
    this.client = WebClient.create(vertx, new WebClientOptions()
        .setFollowRedirects(false)
        .setUserAgent("Parley-Ingest/1.0")
        .setConnectTimeout((int) Math.min(timeoutMs, Integer.MAX_VALUE)));
  }

  void close() {
    client.close();
  }

  /** The URL as Parley accepts it: absolute http(s) with a host and no user info; a 422 otherwise. */
  static URI parse(String url) {
    try {
      URI uri = new URI(url.strip());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && uri.getRawUserInfo() == null) {
        return uri;
      }
    } catch (java.net.URISyntaxException | NullPointerException bad) {
      // reported below
    }
    throw ParleyException.invalid("url", "'url' must be an absolute http or https URL");
  }

  /** Resolves the host and fails with 422 {@code url_not_allowed} if it points inside the network. */
  Future<InetAddress> check(URI uri) {
    return vertx.executeBlocking(() -> {
      InetAddress[] addresses;
      try {
        addresses = InetAddress.getAllByName(uri.getHost());
      } catch (UnknownHostException unknown) {
        throw new ParleyException(ErrorCodes.UNPROCESSABLE, "url_unresolvable", "The URL's host name does not resolve");
      }
      if (!allowPrivate) {
        for (InetAddress address : addresses) {
          if (isInternal(address)) {
            throw new ParleyException(ErrorCodes.UNPROCESSABLE, "url_not_allowed",
                "The URL points to a private, loopback or link-local address; Parley fetches only public addresses "
                    + "(an operator can allow private ones with rag.allow_private_urls)");
          }
        }
      }
      return addresses[0];
    }, false);
  }

  Future<Page> fetch(String url) {
    return fetch(parse(url), 0);
  }

  private Future<Page> fetch(URI uri, int hops) {
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
    String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    return check(uri).compose(address -> {
      Limited body = new Limited(maxBytes);
      return client.request(HttpMethod.GET, SocketAddress.inetSocketAddress(port, address.getHostAddress()), port,
              uri.getHost(), path)
          .ssl(https)
          .timeout(timeoutMs)
          .putHeader("Accept", "text/html, text/plain, text/markdown, application/pdf, */*;q=0.5")
          .as(BodyCodec.pipe(body))
          .send()
          .recover(failure -> Future.failedFuture(body.exceeded
              ? new IngestionFailure("The page is larger than the limit of " + maxBytes + " bytes")
              : failure instanceof ParleyException p ? p
              : new IngestionFailure("The URL could not be fetched (" + failure.getClass().getSimpleName() + ")")))
          .compose(response -> handle(uri, hops, response, body));
    });
  }

  private Future<Page> handle(URI uri, int hops, HttpResponse<Void> response, Limited body) {
    int status = response.statusCode();
    if (status >= 300 && status < 400 && response.getHeader("Location") != null) {
      if (hops >= MAX_REDIRECTS) {
        return Future.failedFuture(new IngestionFailure("The URL redirects too many times"));
      }
      URI next;
      try {
        next = parse(uri.resolve(response.getHeader("Location")).toString());
      } catch (RuntimeException bad) {
        return Future.failedFuture(new IngestionFailure("The URL redirects to an invalid address"));
      }
      return fetch(next, hops + 1);
    }
    if (status != 200) {
      return Future.failedFuture(new IngestionFailure("The URL answered HTTP " + status));
    }
    return Future.succeededFuture(new Page(uri.toString(), response.getHeader("Content-Type"), body.buffer.getBytes()));
  }

  static boolean isInternal(InetAddress address) {
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
      boolean mapped = true;
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
        try {
          return isInternal(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (UnknownHostException impossible) {
          return true;
        }
      }
    }
    return false;
  }

  /** Collects a body, failing once it passes the limit. */
  private static final class Limited implements WriteStream<Buffer> {

    private final long max;
    private final Buffer buffer = Buffer.buffer();
    private boolean exceeded;

    Limited(long max) {
      this.max = max;
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> write(Buffer data) {
      if (buffer.length() + data.length() > max) {
        exceeded = true;
        return Future.failedFuture(new IngestionFailure("The page is larger than the limit of " + max + " bytes"));
      }
      buffer.appendBuffer(data);
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      return exceeded ? Future.failedFuture(new IngestionFailure("too large")) : Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      return this;
    }
  }
}
