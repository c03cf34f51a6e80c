package dev.parley.rag;

import dev.parley.common.AddressGate;
import dev.parley.common.InternalAddresses;
import dev.parley.common.ParleyException;
import dev.parley.common.UrlSpelling;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * Fetches a page for ingestion without letting an operator's URL reach inside the network
 * (SSRF) or a hostile server exhaust Parley.
 *
 * <ul>
 *   <li>Only absolute http(s) URLs without user info; a host written as a number in any form but
 *   the usual four decimals ({@code 0177.0.0.1}, {@code 2130706433}, {@code 0x7f.1}, {@code 127.1}),
 *   which browsers and Java read differently, and IPv6 zone ids are refused outright.</li>
 *   <li>Only the ports in {@code allowed_url_ports} (80, 443, 8080, 8443; empty: any).</li>
 *   <li>The host is resolved once, through {@link Resolver}; it is refused if any of its addresses is
 *   loopback, private, link-local, carrier-grade NAT, multicast, unspecified or otherwise special, an IPv6
 *   form that carries an IPv4 address being judged by that address ({@link InternalAddresses})
 *   (unless {@code allow_private_urls} is on), and the connection then goes to the address that was
 *   checked, with the name only in the {@code Host} header (and TLS SNI), so a DNS answer that changes
 *   in between (rebinding) does not matter. Names reserved for private networks ({@code localhost},
 *   {@code *.localhost}, {@code *.internal}, {@code *.local}, {@code *.home.arpa}) are refused
 *   without a lookup.</li>
 *   <li>Redirects are followed by hand, at most {@value #MAX_REDIRECTS}, each hop checked the same way.</li>
 *   <li>A page must arrive within {@code fetch_timeout_ms} in total (redirects included) and never stall
 *   longer than {@code fetch_idle_timeout_ms}; the connection is dropped when either fires.</li>
 *   <li>Only text, HTML, PDF, DOCX and XML content types are read: others are refused on the headers.
 *   A body (after gzip/deflate decoding, which Parley asks for) may not pass {@code max_document_bytes};
 *   a {@code Content-Length} over it is refused before any byte is read, and a longer body is cut
 *   off when it passes the limit. Connections are never reused, so bytes a server sends past its
 *   {@code Content-Length} cannot become the answer to the next fetch.</li>
 * </ul>
 * Every refusal is a {@link ParleyException} (422 {@code url_not_allowed}, {@code unsupported_scheme},
 * {@code validation_failed} or {@code url_unresolvable}) and every other failure an
 * {@link IngestionFailure} whose message says what went wrong. The URL's spelling is {@link UrlSpelling}'s,
 * the address checks {@link AddressGate}'s and the body's decoding {@link PageBody}'s; this class does the
 * exchange: hops, timeouts and limits.
 */
final class UrlFetcher {

  /** A fetched page. */
  record Page(String url, String contentType, byte[] body) {
  }

  /**
   * How a host name becomes addresses. The default is {@link InetAddress#getAllByName}; tests give their
   * own, because Java 17 has no resolver SPI to make the JVM's DNS answer differently.
   */
  @FunctionalInterface
  interface Resolver extends AddressGate.Resolver {
  }

  /** What one fetch may use. */
  record Limits(boolean allowPrivate, long maxBytes, long totalTimeoutMs, long idleTimeoutMs, Set<Integer> ports) {
  }

  static final int MAX_REDIRECTS = 5;
  static final List<Integer> DEFAULT_PORTS = List.of(80, 443, 8080, 8443);

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final Limits limits;
  private final AddressGate gate;
  private final PageBody bodies;

  /** The fetcher of a {@code rag} config object. */
  static UrlFetcher create(Vertx vertx, JsonObject config) {
    return new UrlFetcher(vertx, limits(config), InetAddress::getAllByName, InternalAddresses::isInternal);
  }

  /** The limits a {@code rag} config object sets; an idle timeout left null follows the total one, up to 10 s. */
  static Limits limits(JsonObject config) {
    JsonArray ports = config.getJsonArray("allowed_url_ports", new JsonArray(DEFAULT_PORTS));
    Set<Integer> allowed = new LinkedHashSet<>();
    for (Object port : ports) {
      allowed.add(((Number) port).intValue());
    }
    long total = config.getLong("fetch_timeout_ms", 20_000L);
    Long idle = config.getLong("fetch_idle_timeout_ms");
    return new Limits(config.getBoolean("allow_private_urls", false),
        config.getLong("max_document_bytes", 20L * 1024 * 1024), total,
        idle != null ? idle : Math.min(total, 10_000L), allowed);
  }

  /**
   * A fetcher with its own resolver and its own idea of which addresses are internal (tests: a name that
   * answers differently each time, a second loopback address playing a public one).
   */
  UrlFetcher(Vertx vertx, Limits limits, Resolver resolver, Predicate<InetAddress> internal) {
    this.vertx = vertx;
    this.limits = limits;
    this.gate = new AddressGate(vertx, new AddressGate.Policy(limits.allowPrivate(), limits.ports()), resolver, internal,
        "rag");
    this.bodies = new PageBody(vertx, limits.maxBytes());
    // Never a kept-alive connection: each fetch gets its own, which dies with it. Decompression is
    // done here, not by the client, so the size limit counts inflated bytes without blocking a loop.
    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setKeepAlive(false)
        .setDecompressionSupported(false)
        .setConnectTimeout((int) Math.min(limits.idleTimeoutMs(), Integer.MAX_VALUE)));
  }

  void close() {
    client.close();
  }

  /**
   * Checks the port, resolves the host once and fails with 422 {@code url_not_allowed} if it points
   * inside the network; the address to connect to otherwise.
   */
  Future<InetAddress> check(URI uri) {
    return gate.check(uri);
  }

  // ---- fetching

  /** The page at {@code url}, after at most {@value #MAX_REDIRECTS} redirects. */
  Future<Page> fetch(String url) {
    URI uri;
    try {
      uri = UrlSpelling.parse(url);
    } catch (ParleyException invalid) {
      return Future.failedFuture(invalid);
    }
    Attempt attempt = new Attempt();
    attempt.timer = vertx.setTimer(Math.max(1, limits.totalTimeoutMs()), t -> attempt.fail(new IngestionFailure(
        "The URL took longer than " + limits.totalTimeoutMs() + " ms to fetch (rag.fetch_timeout_ms)")));
    hop(attempt, uri, 0);
    return attempt.result.future().andThen(done -> {
      vertx.cancelTimer(attempt.timer);
      vertx.cancelTimer(attempt.idleTimer);
    });
  }

  /** One fetch in flight: its outcome, and the request to drop when it ends early. */
  private static final class Attempt {
    final Promise<Page> result = Promise.promise();
    final AtomicBoolean done = new AtomicBoolean();
    volatile HttpClientRequest request;
    volatile long timer;
    volatile long idleTimer = -1;

    /** Keeps {@code current} as the request to drop; false (and dropped) if the fetch already ended. */
    boolean track(HttpClientRequest current) {
      request = current;
      if (done.get()) {
        current.reset();
        return false;
      }
      return true;
    }

    void fail(Throwable failure) {
      if (done.compareAndSet(false, true)) {
        result.fail(failure);
        HttpClientRequest current = request;
        if (current != null) {
          current.reset();
        }
      }
    }

    void complete(Page page) {
      if (done.compareAndSet(false, true)) {
        result.complete(page);
      }
    }
  }

  private void hop(Attempt attempt, URI uri, int hops) {
    check(uri).onComplete(checked -> {
      if (attempt.done.get()) {
        return;
      }
      if (checked.failed()) {
        attempt.fail(hops == 0 || !(checked.cause() instanceof ParleyException refused) ? checked.cause()
            : redirectRefused(refused));
        return;
      }
      boolean https = "https".equalsIgnoreCase(uri.getScheme());
      int port = AddressGate.port(uri);
      String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
          + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      RequestOptions options = new RequestOptions()
          .setMethod(HttpMethod.GET)
          .setServer(SocketAddress.inetSocketAddress(port, checked.result().getHostAddress()))
          .setHost(uri.getHost())
          .setPort(port)
          .setURI(path)
          .setSsl(https)
          .setFollowRedirects(false)
          .setConnectTimeout(limits.idleTimeoutMs())
          .setIdleTimeout(limits.idleTimeoutMs())
          .putHeader("User-Agent", "Parley-Ingest/1.0")
          .putHeader("Accept", "text/html, application/xhtml+xml, text/plain, text/markdown, application/pdf, "
              + "application/vnd.openxmlformats-officedocument.wordprocessingml.document, application/xml, text/*;q=0.5")
          .putHeader("Accept-Encoding", "gzip, deflate");
      client.request(options)
          .compose(request -> attempt.track(request) ? request.send() : Future.failedFuture(new IngestionFailure("ended")))
          .onComplete(sent -> {
            if (sent.failed()) {
              attempt.fail(failure(sent.cause()));
            } else {
              respond(attempt, uri, hops, sent.result());
            }
          });
    });
  }

  private void respond(Attempt attempt, URI uri, int hops, HttpClientResponse response) {
    response.exceptionHandler(error -> attempt.fail(failure(error)));
    int status = response.statusCode();
    String location = response.getHeader("Location");
    if (status >= 300 && status < 400 && location != null) {
      drop(response);
      if (hops >= MAX_REDIRECTS) {
        attempt.fail(new IngestionFailure("The URL redirects more than " + MAX_REDIRECTS + " times"));
        return;
      }
      URI next;
      try {
        next = UrlSpelling.parse(uri.resolve(location.strip()).toString());
      } catch (ParleyException refused) {
        attempt.fail(redirectRefused(refused));
        return;
      } catch (RuntimeException bad) {
        attempt.fail(new IngestionFailure("The URL redirects to an invalid address"));
        return;
      }
      hop(attempt, next, hops + 1);
      return;
    }
    if (status != 200) {
      drop(response);
      attempt.fail(new IngestionFailure("The URL answered HTTP " + status));
      return;
    }
    String type = response.getHeader("Content-Type");
    if (!PageBody.readable(type)) {
      attempt.fail(new IngestionFailure("The URL's content type (" + type + ") is not one Parley reads: it fetches "
          + "HTML, text, Markdown, PDF, DOCX and XML sitemaps"));
      return;
    }
    String encoding = response.getHeader("Content-Encoding") == null ? "identity"
        : response.getHeader("Content-Encoding").strip().toLowerCase(Locale.ROOT);
    if (!Set.of("identity", "", "gzip", "x-gzip", "deflate").contains(encoding)) {
      attempt.fail(new IngestionFailure("The page is encoded as '" + encoding + "', which Parley does not read"));
      return;
    }
    long announced = PageBody.contentLength(response.getHeader("Content-Length"));
    if (announced > limits.maxBytes()) {
      attempt.fail(new IngestionFailure("The page announces " + announced + " bytes, more than the limit of "
          + limits.maxBytes() + " bytes (rag.max_document_bytes)"));
      return;
    }
    Buffer body = Buffer.buffer();
    // the client's idle timeout covers the wait for the headers only; the body gets its own
    idle(attempt);
    response.handler(data -> {
      if (attempt.done.get()) {
        return;
      }
      idle(attempt);
      if ((long) body.length() + data.length() > limits.maxBytes()) {
        attempt.fail(bodies.tooLarge(""));
        return;
      }
      body.appendBuffer(data);
    });
    response.endHandler(end -> {
      vertx.cancelTimer(attempt.idleTimer);
      if (attempt.done.get()) {
        return;
      }
      bodies.decode(body, encoding).onComplete(decoded -> {
        if (decoded.failed()) {
          attempt.fail(decoded.cause());
        } else {
          attempt.complete(new Page(uri.toString(), type, decoded.result()));
        }
      });
    });
  }

  /** Closes the exchange without reading the body; the reset it causes is no failure of the fetch. */
  private static void drop(HttpClientResponse response) {
    response.exceptionHandler(ignored -> { });
    response.request().reset();
  }

  /** (Re)starts the wait for the next bytes of the body. */
  private void idle(Attempt attempt) {
    vertx.cancelTimer(attempt.idleTimer);
    attempt.idleTimer = vertx.setTimer(Math.max(1, limits.idleTimeoutMs()), t -> attempt.fail(idleFailure()));
  }

  private IngestionFailure idleFailure() {
    return new IngestionFailure("The server sent nothing for " + limits.idleTimeoutMs() + " ms (rag.fetch_idle_timeout_ms)");
  }

  private static ParleyException redirectRefused(ParleyException refused) {
    return new ParleyException(refused.status(), refused.code(), "The URL redirects to an address Parley does not "
        + "fetch: " + refused.getMessage());
  }

  /** A failure of the connection or the exchange, in words an operator can act on. */
  private IngestionFailure failure(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof IngestionFailure known) {
        return known;
      }
      if (cause instanceof io.netty.channel.ConnectTimeoutException) {
        return new IngestionFailure("The server did not accept a connection within " + limits.idleTimeoutMs()
            + " ms (rag.fetch_idle_timeout_ms)");
      }
      if (cause instanceof TimeoutException) {
        return idleFailure();
      }
      if (cause instanceof HttpClosedException) {
        return new IngestionFailure("The server closed the connection before the whole page arrived");
      }
      if (cause instanceof ConnectException) {
        return new IngestionFailure("The server refused the connection or cannot be reached");
      }
      if (cause instanceof javax.net.ssl.SSLException) {
        return new IngestionFailure("The TLS connection to the server failed (certificate or protocol)");
      }
      if (cause instanceof io.netty.handler.codec.DecoderException
          || cause instanceof io.netty.handler.codec.TooLongFrameException) {
        return new IngestionFailure("The server's answer is not valid HTTP");
      }
    }
    return new IngestionFailure("The URL could not be fetched (" + error.getClass().getSimpleName() + ")");
  }
}
