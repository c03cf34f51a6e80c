package dev.parley.rag;

import dev.parley.common.InternalAddresses;
import dev.parley.common.UrlSpelling;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.ParleyException;
import dev.parley.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SSRF side of {@link UrlFetcher} against real sockets (catalogue §3 cases 53–59): DNS rebinding,
 * numeric and IPv6 host spellings, redirects to them, reserved names and ports.
 *
 * <p>Java 17 has no resolver SPI, so the JVM's DNS cannot be made to answer differently from one
 * lookup to the next; the fetcher therefore takes its resolver as a dependency, and these tests give
 * it a scripted one. The "public site" is a server on 127.0.0.2, which the tests' address policy
 * treats as public (every other internal address stays internal), and a trap listens on 127.0.0.1 at
 * the same port: any request that reaches loopback proper lands there and fails the test.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class UrlFetcherTest {

  /** 127.0.0.2 plays a public address; everything else keeps the production rule. */
  static final Predicate<InetAddress> SITE_IS_PUBLIC =
      address -> !address.getHostAddress().equals("127.0.0.2") && InternalAddresses.isInternal(address);

  static Vertx vertx;
  static int port;
  static final AtomicInteger trapConnections = new AtomicInteger();
  static final Queue<String> siteRequests = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void start(Vertx v, VertxTestContext test) {
    vertx = v;
    vertx.createHttpServer().requestHandler(request -> {
      siteRequests.add(request.getHeader("Host") + " " + request.uri());
      String path = request.path();
      if (path.equals("/page")) {
        request.response().putHeader("Content-Type", "text/html").end("<p>The public site's page.</p>");
      } else if (path.equals("/to")) {
        request.response().setStatusCode(302).putHeader("Location", request.getParam("target")).end();
      } else if (path.startsWith("/hops/")) {
        int left = Integer.parseInt(path.substring(6));
        request.response().setStatusCode(302).putHeader("Location", left == 0 ? "/page" : "/hops/" + (left - 1)).end();
      } else {
        request.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.2").compose(site -> {
      port = site.actualPort();
      NetServer trap = vertx.createNetServer().connectHandler(socket -> {
        trapConnections.incrementAndGet();
        socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\ntrapped").onComplete(
            done -> socket.close());
      });
      return trap.listen(port, "127.0.0.1");
    }).onComplete(test.succeedingThenComplete());
  }

  @BeforeEach
  void reset() {
    trapConnections.set(0);
    siteRequests.clear();
  }

  /** A resolver that answers each name from a script and counts the lookups. */
  static final class Scripted implements UrlFetcher.Resolver {
    final Map<String, List<InetAddress[]>> answers = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    /** {@code first} answers the first lookup, {@code later} (or {@code first} again) every later one; comma-separated. */
    Scripted answer(String host, String first, String... later) {
      String then = later.length == 0 ? first : later[0];
      answers.put(host, List.of(addresses(first.split(",")), addresses(then.split(","))));
      return this;
    }

    int calls(String host) {
      return calls.getOrDefault(host, new AtomicInteger()).get();
    }

    int allCalls() {
      return calls.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
      int n = calls.computeIfAbsent(host, h -> new AtomicInteger()).getAndIncrement();
      List<InetAddress[]> script = answers.get(host);
      if (script == null) {
        throw new UnknownHostException(host);
      }
      return script.get(Math.min(n, 1));
    }

    private static InetAddress[] addresses(String... literals) {
      InetAddress[] result = new InetAddress[literals.length];
      for (int i = 0; i < literals.length; i++) {
        try {
          result[i] = InetAddress.getByName(literals[i]);
        } catch (UnknownHostException impossible) {
          throw new IllegalStateException(impossible);
        }
      }
      return result;
    }
  }

  static UrlFetcher fetcher(Scripted resolver, Predicate<InetAddress> internal, boolean allowPrivate, Set<Integer> ports) {
    return new UrlFetcher(vertx, new UrlFetcher.Limits(allowPrivate, 1024 * 1024, 5_000, 1_000, ports), resolver, internal);
  }

  static String url(String host, String path) {
    return "http://" + host + ":" + port + path;
  }

  // ---------------------------------------------------------------- DNS rebinding (case 56)

  @Test
  void an_idle_timeout_left_unset_follows_the_total_timeout_up_to_ten_seconds() throws Exception {
    JsonObject shipped = new JsonObject(java.nio.file.Files.readString(java.nio.file.Path.of("conf/config.json")))
        .getJsonObject("rag");
    assertThat(shipped.containsKey("fetch_idle_timeout_ms")).isTrue();
    assertThat(UrlFetcher.limits(shipped.copy().put("fetch_timeout_ms", 4_000)).idleTimeoutMs()).isEqualTo(4_000);
    assertThat(UrlFetcher.limits(shipped.copy().put("fetch_timeout_ms", 60_000)).idleTimeoutMs()).isEqualTo(10_000);
    assertThat(UrlFetcher.limits(shipped.copy().put("fetch_timeout_ms", 4_000).put("fetch_idle_timeout_ms", 1_500))
        .idleTimeoutMs()).isEqualTo(1_500);
  }

  @Test
  void a_name_is_resolved_once_and_the_request_goes_to_the_address_that_was_checked() throws Exception {
    Scripted dns = new Scripted().answer("rebind.test", "127.0.0.2", "127.0.0.1");
    UrlFetcher fetcher = fetcher(dns, SITE_IS_PUBLIC, false, Set.of());
    UrlFetcher.Page page = Await.result(fetcher.fetch(url("rebind.test", "/page")));
    assertThat(new String(page.body(), StandardCharsets.UTF_8)).isEqualTo("<p>The public site's page.</p>");
    assertThat(dns.calls("rebind.test")).as("lookups of the name").isEqualTo(1);
    assertThat(trapConnections.get()).as("connections to 127.0.0.1").isZero();
    assertThat(siteRequests).containsExactly("rebind.test:" + port + " /page");
    // the name now answers loopback: the next fetch checks that answer and refuses it
    assertRefused(fetcher.fetch(url("rebind.test", "/page")), "url_not_allowed", "private, loopback or link-local");
    assertThat(dns.calls("rebind.test")).isEqualTo(2);
    assertThat(trapConnections.get()).isZero();
    fetcher.close();
  }

  @Test
  void a_rebinding_name_never_reaches_loopback_under_the_production_rule() throws Exception {
    // 203.0.113.7 (TEST-NET-3) is public to the production rule and unreachable from here
    Scripted dns = new Scripted().answer("rebind.test", "203.0.113.7", "127.0.0.1");
    UrlFetcher fetcher = fetcher(dns, InternalAddresses::isInternal, false, Set.of());
    Throwable failure = Await.failure(fetcher.fetch(url("rebind.test", "/page")));
    assertThat(failure).isInstanceOf(IngestionFailure.class);
    assertThat(dns.calls("rebind.test")).isEqualTo(1);
    assertThat(trapConnections.get()).isZero();
    fetcher.close();
  }

  @ParameterizedTest(name = "answers {0}")
  @ValueSource(strings = {"203.0.113.7,127.0.0.1", "127.0.0.1,203.0.113.7", "203.0.113.7,10.0.0.1",
      "203.0.113.7,::1", "2001:db8::1,fe80::1", "203.0.113.7,169.254.169.254"})
  void a_name_with_any_internal_address_among_its_answers_is_refused(String answers) throws Exception {
    Scripted dns = new Scripted().answer("mixed.test", answers);
    UrlFetcher fetcher = fetcher(dns, InternalAddresses::isInternal, false, Set.of());
    assertRefused(fetcher.fetch(url("mixed.test", "/page")), "url_not_allowed", "private, loopback or link-local");
    assertThat(trapConnections.get()).isZero();
    assertThat(siteRequests).isEmpty();
    fetcher.close();
  }

  // ---------------------------------------------------------------- host spellings (cases 53–55)

  /** Refused even with private URLs allowed: Java would connect to 177.0.0.1 where curl goes to 127.0.0.1. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"0177.0.0.1", "2130706433", "0x7f.1", "0x7f000001", "127.1", "0x7f.0.0.1", "0177.1",
      "017700000001", "127.0.1", "127.0.0.1.", "0x7F.0X0.0.01"})
  void hosts_that_spell_an_address_unusually_are_refused_before_any_lookup(String host) throws Exception {
    Scripted dns = new Scripted();
    UrlFetcher fetcher = fetcher(dns, InternalAddresses::isInternal, true, Set.of());
    assertRefused(fetcher.fetch(url(host, "/page")), "url_not_allowed", "a browser reads it as 127.0.0.1");
    assertThat(UrlSpelling.browserIpv4(host)).isEqualTo("127.0.0.1");
    assertThat(dns.allCalls()).isZero();
    assertThat(trapConnections.get()).isZero();
    // written the usual way, the same address is fetched (private URLs are allowed here)
    assertThat(Await.result(fetcher.fetch(url("127.0.0.2", "/page"))).body()).isNotEmpty();
    fetcher.close();
  }

  @Test
  void numeric_hosts_are_told_apart_from_names() {
    assertThat(UrlSpelling.endsInNumber("example.com")).isFalse();
    assertThat(UrlSpelling.endsInNumber("1password.com")).isFalse();
    assertThat(UrlSpelling.endsInNumber("cdn.0x")).isTrue();
    assertThat(UrlSpelling.endsInNumber("example.0x1g")).isFalse();
    assertThat(UrlSpelling.endsInNumber("a.b.123.")).isTrue();
    assertThat(UrlSpelling.browserIpv4("0")).isEqualTo("0.0.0.0");
    assertThat(UrlSpelling.browserIpv4("0x08080808")).isEqualTo("8.8.8.8");
    assertThat(UrlSpelling.browserIpv4("256.1.1.1")).isNull();
    assertThat(UrlSpelling.browserIpv4("09.1.1.1")).isNull();
    assertThat(UrlSpelling.parse("http://93.184.215.14/").getHost()).isEqualTo("93.184.215.14");
    assertThat(UrlSpelling.parse("http://docs.example.com./x").getHost()).isEqualTo("docs.example.com.");
    ParleyException invalid = parseFailure("http://9.9.9.9.9/");
    assertThat(invalid.code()).isEqualTo("url_not_allowed");
    assertThat(invalid.getMessage()).doesNotContain("a browser reads it");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::1]", "[0:0:0:0:0:0:0:1]", "[::127.0.0.1]",
      "[64:ff9b::7f00:1]", "[2002:7f00:1::]", "[fe80::1]", "[fc00::1]", "[fec0::1]", "[::]", "[ff02::1]",
      "[::ffff:a9fe:a9fe]", "127.0.0.1", "0.0.0.0"})
  void ipv6_and_ipv4_forms_of_internal_addresses_are_refused_without_a_connection(String host) throws Exception {
    Scripted dns = new Scripted();
    UrlFetcher fetcher = fetcher(dns, SITE_IS_PUBLIC, false, Set.of());
    assertRefused(fetcher.fetch(url(host, "/page")), "url_not_allowed", "private, loopback or link-local");
    assertThat(dns.allCalls()).as("literals are never looked up").isZero();
    assertThat(trapConnections.get()).isZero();
    fetcher.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"http://[fe80::1%25eth0]/", "http://[fe80::1%eth0]/", "http://[fe80::1%251]:8080/x"})
  void ipv6_zone_ids_are_refused(String url) {
    ParleyException refused = parseFailure(url);
    assertThat(refused.code()).isEqualTo("url_not_allowed");
    assertThat(refused.getMessage()).contains("zone id");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"file:///etc/passwd", "gopher://127.0.0.1:25/", "ftp://example.com/x", "jar:file:/x.jar!/",
      "data:text/html,<script>alert(1)</script>", "javascript:alert(1)", "HTTPX://example.com/"})
  void other_schemes_are_unsupported_scheme(String url) {
    ParleyException refused = parseFailure(url);
    assertThat(refused.code()).isEqualTo("unsupported_scheme");
    assertThat(refused.field()).isEqualTo("url");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"http://evil.test@127.0.0.1/", "http://evil.test\\@127.0.0.1/", "http://127。0。0。1/",
      "http://127.0.0.1/\r\nHost: evil", "//127.0.0.1/", "http://example.com:99999/", "http://example.com:0/", "example.com:8080/x", " "})
  void malformed_urls_are_validation_failures(String url) {
    assertThat(parseFailure(url).code()).isEqualTo("validation_failed");
  }

  // ---------------------------------------------------------------- redirects (case 57)

  @ParameterizedTest(name = "302 to {0}")
  @ValueSource(strings = {"http://127.0.0.1:PORT/page", "http://0177.0.0.1:PORT/page", "http://2130706433:PORT/page",
      "http://0x7f.1:PORT/page", "http://[::ffff:127.0.0.1]:PORT/page", "http://[::1]:PORT/page",
      "http://[fe80::1%25lo]:PORT/page", "http://localhost:PORT/page", "http://169.254.169.254/latest/meta-data/",
      "http://metadata.google.internal/computeMetadata/v1/"})
  void a_redirect_to_an_internal_or_ambiguous_address_is_refused(String target) throws Exception {
    Scripted dns = new Scripted().answer("site.test", "127.0.0.2");
    UrlFetcher fetcher = fetcher(dns, SITE_IS_PUBLIC, false, Set.of());
    String to = target.replace("PORT", String.valueOf(port));
    ParleyException refused = assertRefused(
        fetcher.fetch(url("site.test", "/to?target=" + java.net.URLEncoder.encode(to, StandardCharsets.UTF_8))),
        "url_not_allowed", "The URL redirects to an address Parley does not fetch: ");
    assertThat(refused.status()).isEqualTo(422);
    assertThat(siteRequests).hasSize(1);
    assertThat(trapConnections.get()).isZero();
    fetcher.close();
  }

  @Test
  void five_redirects_are_followed_and_a_sixth_is_refused() throws Exception {
    Scripted dns = new Scripted().answer("site.test", "127.0.0.2");
    UrlFetcher fetcher = fetcher(dns, SITE_IS_PUBLIC, false, Set.of());
    UrlFetcher.Page page = Await.result(fetcher.fetch(url("site.test", "/hops/4")));
    assertThat(page.url()).isEqualTo(url("site.test", "/page"));
    assertThat(siteRequests).hasSize(6);
    siteRequests.clear();
    Throwable failure = Await.failure(fetcher.fetch(url("site.test", "/hops/5")));
    assertThat(failure).isInstanceOf(IngestionFailure.class).hasMessage("The URL redirects more than 5 times");
    assertThat(siteRequests).hasSize(6).noneMatch(r -> r.endsWith("/page"));
    assertThat(dns.calls("site.test")).as("each hop is checked").isEqualTo(12);
    fetcher.close();
  }

  // ---------------------------------------------------------------- names and ports (cases 53, 59)

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"localhost", "LOCALHOST.", "api.localhost", "metadata.google.internal", "printer.local",
      "router.home.arpa"})
  void names_reserved_for_private_networks_are_refused_without_a_lookup(String host) throws Exception {
    Scripted dns = new Scripted().answer(host.toLowerCase(java.util.Locale.ROOT), "203.0.113.7");
    UrlFetcher fetcher = fetcher(dns, InternalAddresses::isInternal, false, Set.of());
    assertRefused(fetcher.fetch("http://" + host + "/"), "url_not_allowed", "reserved for private networks");
    assertThat(dns.allCalls()).isZero();
    fetcher.close();
  }

  @ParameterizedTest(name = "port {0}")
  @ValueSource(ints = {22, 25, 5432, 6333, 6334, 5701, 11211, 8000})
  void ports_outside_the_allowlist_are_refused_without_a_lookup(int blocked) throws Exception {
    Scripted dns = new Scripted().answer("public.test", "203.0.113.7");
    UrlFetcher fetcher = fetcher(dns, InternalAddresses::isInternal, false, Set.copyOf(UrlFetcher.DEFAULT_PORTS));
    assertRefused(fetcher.fetch("http://public.test:" + blocked + "/"), "url_not_allowed",
        "port " + blocked + " is not one Parley fetches from (allowed: 80, 443, 8080, 8443");
    assertThat(dns.allCalls()).isZero();
    for (String allowed : List.of("http://public.test/", "https://public.test/", "http://public.test:8080/",
        "https://public.test:8443/")) {
      assertThat(Await.result(fetcher.check(URI.create(allowed))).getHostAddress()).isEqualTo("203.0.113.7");
    }
    fetcher.close();
  }

  // ---------------------------------------------------------------- helpers

  static ParleyException assertRefused(Future<?> future, String code, String message) throws Exception {
    Throwable failure = Await.failure(future);
    assertThat(failure).isInstanceOf(ParleyException.class);
    ParleyException refused = (ParleyException) failure;
    assertThat(refused.code()).as(refused.getMessage()).isEqualTo(code);
    assertThat(refused.getMessage()).contains(message);
    return refused;
  }

  static ParleyException parseFailure(String url) {
    try {
      URI parsed = UrlSpelling.parse(url);
      throw new AssertionError("parsed " + url + " as " + parsed);
    } catch (ParleyException refused) {
      return refused;
    }
  }
}
