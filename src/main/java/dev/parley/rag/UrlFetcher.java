package dev.parley.rag;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
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
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

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
 * {@link IngestionFailure} whose message says what went wrong.
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
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /** What one fetch may use. */
  record Limits(boolean allowPrivate, long maxBytes, long totalTimeoutMs, long idleTimeoutMs, Set<Integer> ports) {
  }

  static final int MAX_REDIRECTS = 5;
  static final List<Integer> DEFAULT_PORTS = List.of(80, 443, 8080, 8443);

  private static final Set<String> READABLE_TYPES = Set.of("application/xhtml+xml", "application/pdf",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/xml");
  private static final Pattern DOTTED_QUAD =
      Pattern.compile("((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
  private static final Pattern SCHEME = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*):(?![0-9])");
  private static final Pattern HEX_NUMBER = Pattern.compile("0[xX][0-9a-fA-F]*");

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final Limits limits;
  private final Resolver resolver;
  private final Predicate<InetAddress> internal;

  /** The fetcher of a {@code rag} config object. */
  static UrlFetcher create(Vertx vertx, JsonObject config) {
    JsonArray ports = config.getJsonArray("allowed_url_ports", new JsonArray(DEFAULT_PORTS));
    Set<Integer> allowed = new LinkedHashSet<>();
    for (Object port : ports) {
      allowed.add(((Number) port).intValue());
    }
    long total = config.getLong("fetch_timeout_ms", 20_000L);
    return new UrlFetcher(vertx, new Limits(config.getBoolean("allow_private_urls", false),
        config.getLong("max_document_bytes", 20L * 1024 * 1024), total,
        config.getLong("fetch_idle_timeout_ms", Math.min(total, 10_000L)), allowed),
        InetAddress::getAllByName, InternalAddresses::isInternal);
  }

  /**
   * A fetcher with its own resolver and its own idea of which addresses are internal (tests: a name that
   * answers differently each time, a second loopback address playing a public one).
   */
  UrlFetcher(Vertx vertx, Limits limits, Resolver resolver, Predicate<InetAddress> internal) {
    this.vertx = vertx;
    this.limits = limits;
    this.resolver = resolver;
    this.internal = internal;
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

  // ---- URLs

  /**
   * The URL as Parley accepts it: absolute http(s) with a host and no user info (422
   * {@code validation_failed} otherwise, {@code unsupported_scheme} for another scheme), and a host
   * that is not an ambiguous number or an IPv6 address with a zone id (422 {@code url_not_allowed}).
   */
  static URI parse(String url) {
    String text = url == null ? "" : url.strip();
    java.util.regex.Matcher prefix = SCHEME.matcher(text);
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
  static boolean endsInNumber(String host) {
    String[] labels = host.split("\\.", -1);
    int last = labels.length - 1;
    if (labels[last].isEmpty() && last > 0) {
      last--;
    }
    String label = labels[last];
    return !label.isEmpty() && (label.chars().allMatch(c -> c >= '0' && c <= '9') || HEX_NUMBER.matcher(label).matches());
  }

  /** The IPv4 address a browser reads in a numeric host (WHATWG IPv4 parser), or null when it reads none. */
  static String browserIpv4(String host) {
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

  private static ParleyException notAllowed(String message) {
    return new ParleyException(ErrorCodes.UNPROCESSABLE, "url_not_allowed", message);
  }

  // ---- addresses

  /**
   * Checks the port, resolves the host once and fails with 422 {@code url_not_allowed} if it points
   * inside the network; the address to connect to otherwise.
   */
  Future<InetAddress> check(URI uri) {
    int port = port(uri);
    if (!limits.ports().isEmpty() && !limits.ports().contains(port)) {
      return Future.failedFuture(notAllowed("The URL's port " + port + " is not one Parley fetches from (allowed: "
          + String.join(", ", limits.ports().stream().sorted().map(String::valueOf).toList()) + "; rag.allowed_url_ports)"));
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    if (!limits.allowPrivate() && privateName(host)) {
      return Future.failedFuture(notAllowed("The URL's host " + host + " is a name reserved for private networks; "
          + "Parley fetches only public addresses (an operator can allow private ones with rag.allow_private_urls)"));
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
            throw notAllowed("The URL points to a private, loopback or link-local address; Parley fetches only public "
                + "addresses (an operator can allow private ones with rag.allow_private_urls)");
          }
        }
      }
      return addresses[0];
    }, false);
  }

  private static boolean literal(String host) {
    return host.startsWith("[") || DOTTED_QUAD.matcher(host).matches();
  }

  private static boolean privateName(String host) {
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    return name.equals("localhost") || name.endsWith(".localhost") || name.endsWith(".internal")
        || name.endsWith(".local") || name.endsWith(".home.arpa");
  }

  private static int port(URI uri) {
    return uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  // ---- fetching

  /** The page at {@code url}, after at most {@value #MAX_REDIRECTS} redirects. */
  Future<Page> fetch(String url) {
    URI uri;
    try {
      uri = parse(url);
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
      int port = port(uri);
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
        next = parse(uri.resolve(location.strip()).toString());
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
    if (!readable(type)) {
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
    long announced = contentLength(response.getHeader("Content-Length"));
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
        attempt.fail(tooLarge(""));
        return;
      }
      body.appendBuffer(data);
    });
    response.endHandler(end -> {
      vertx.cancelTimer(attempt.idleTimer);
      if (attempt.done.get()) {
        return;
      }
      decode(body, encoding).onComplete(decoded -> {
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

  /** Content types worth downloading: text of any kind, HTML, PDF, DOCX, XML (sitemaps), or none said. */
  static boolean readable(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return true;
    }
    String type = contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
    return type.startsWith("text/") || READABLE_TYPES.contains(type);
  }

  private static long contentLength(String header) {
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.strip());
    } catch (NumberFormatException bad) {
      return -1;
    }
  }

  private IngestionFailure tooLarge(String when) {
    return new IngestionFailure("The page is larger than the limit of " + limits.maxBytes() + " bytes" + when
        + " (rag.max_document_bytes)");
  }

  private Future<byte[]> decode(Buffer body, String encoding) {
    if (encoding.isEmpty() || encoding.equals("identity")) {
      return Future.succeededFuture(body.getBytes());
    }
    byte[] compressed = body.getBytes();
    return vertx.executeBlocking(() -> inflate(compressed, encoding), false);
  }

  /** The inflated body, stopping as soon as it passes the limit (a gzip bomb costs at most that much). */
  private byte[] inflate(byte[] compressed, String encoding) {
    boolean gzip = !encoding.equals("deflate");
    // "deflate" is meant to be zlib-wrapped, but some servers send raw deflate: the zlib header tells
    boolean zlib = compressed.length >= 2 && (compressed[0] & 0x0f) == 8
        && (((compressed[0] & 0xff) << 8) | (compressed[1] & 0xff)) % 31 == 0;
    Inflater inflater = gzip ? null : new Inflater(!zlib);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = gzip ? new GZIPInputStream(new ByteArrayInputStream(compressed), 8192)
        : new InflaterInputStream(new ByteArrayInputStream(compressed), inflater, 8192)) {
      byte[] chunk = new byte[64 * 1024];
      int read;
      while ((read = in.read(chunk)) > 0) {
        if ((long) out.size() + read > limits.maxBytes()) {
          throw tooLarge(" once decompressed");
        }
        out.write(chunk, 0, read);
      }
    } catch (ZipException | java.io.EOFException damaged) {
      throw new IngestionFailure("The page's " + encoding + " encoding is damaged");
    } catch (IOException unreadable) {
      throw new IngestionFailure("The page's " + encoding + " encoding could not be read");
    } finally {
      if (inflater != null) {
        inflater.end();
      }
    }
    return out.toByteArray();
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
