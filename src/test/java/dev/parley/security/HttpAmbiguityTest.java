package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyTest;
import dev.parley.testing.RawHttp;
import dev.parley.testing.TestApp;
import io.vertx.core.http.HttpMethod;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Item 17 of issue 11 and its class: requests whose target host or body framing can be read two ways are refused
 * with 400 (and the connection closed), never served as one reading of them. Some are refused by Netty's decoder
 * before Parley sees them (plain 400), the rest by Parley (JSON 400).
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class HttpAmbiguityTest {

  /** Refused by Netty's decoder (plain 400), by Vert.x Web (JSON 400), or by Parley (JSON 400, connection closed). */
  private static final String NETTY = "netty";
  private static final String JSON = "json";
  private static final String CLOSED = "closed";

  private static TestApp app;

  static Stream<Arguments> ambiguous() {
    String create = "POST /api/bots HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestApp.ADMIN_TOKEN
        + "\r\nContent-Type: application/json\r\n";
    String body = "{\"name\":\"Smuggled\"}";
    return Stream.of(
        Arguments.of("two Host headers", "GET /health/live HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n", CLOSED),
        Arguments.of("two equal Host headers", "GET /health/live HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n", CLOSED),
        Arguments.of("two hosts in one Host header", "GET /health/live HTTP/1.1\r\nHost: a.example, b.example\r\n\r\n", JSON),
        Arguments.of("no Host in HTTP/1.1", "GET /health/live HTTP/1.1\r\n\r\n", JSON),
        Arguments.of("two different Content-Length", create + "Content-Length: " + body.length() + "\r\nContent-Length: 3\r\n\r\n"
            + body, NETTY),
        Arguments.of("two equal Content-Length", create + "Content-Length: " + body.length() + "\r\nContent-Length: "
            + body.length() + "\r\n\r\n" + body, NETTY),
        Arguments.of("a Content-Length list", create + "Content-Length: " + body.length() + ", " + body.length() + "\r\n\r\n"
            + body, NETTY),
        Arguments.of("Transfer-Encoding other than chunked", create + "Transfer-Encoding: xchunked\r\n\r\n"
            + chunked(body), CLOSED),
        Arguments.of("chunked not the last coding", create + "Transfer-Encoding: chunked, identity\r\n\r\n"
            + chunked(body), CLOSED),
        Arguments.of("chunked twice", create + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
            + chunked(body), CLOSED),
        Arguments.of("a space before the colon", "GET /health/live HTTP/1.1\r\nHost : x\r\n\r\n", NETTY));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ambiguous")
  void ambiguous_requests_are_400(String name, String request, String refusedBy) throws Exception {
    String answer = RawHttp.exchange(app.vertx, app.port, request, 10_000).await(20, TimeUnit.SECONDS);
    assertThat(answer).as(name).startsWith("HTTP/1.1 400 ").doesNotContain("\"status\":\"UP\"");
    if (!refusedBy.equals(NETTY)) {
      assertThat(answer).as(name).contains("\"code\":\"bad_request\"");
    }
    if (refusedBy.equals(CLOSED)) {
      assertThat(answer).as(name).containsIgnoringCase("connection: close");
    }
    assertThat(app.admin(HttpMethod.GET, "/api/bots").send().await(20, TimeUnit.SECONDS).bodyAsString())
        .as("no bot created").doesNotContain("Smuggled");
  }

  @Test
  void one_host_and_chunked_bodies_still_work() throws Exception {
    String answer = RawHttp.exchange(app.vertx, app.port, "POST /api/bots HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        + TestApp.ADMIN_TOKEN + "\r\nContent-Type: application/json\r\nTransfer-Encoding: Chunked\r\n"
        + "Connection: close\r\n\r\n" + chunked("{\"name\":\"Framed\"}"), 10_000).await(20, TimeUnit.SECONDS);
    assertThat(answer).startsWith("HTTP/1.1 201 ").contains("\"name\":\"Framed\"");
  }

  private static String chunked(String body) {
    return Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
  }
}
