package dev.parley.tool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.AddressGate;
import dev.parley.common.InternalAddresses;
import dev.parley.common.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HTTP tools against a local test server: success with the secret header sent, 4xx and 5xx, a timeout, an oversized
 * answer, a template injection attempt ({@code {id}} = {@code ../admin}, encoded into one segment), a private
 * address refused, a redirect to a private address refused, redirects followed within the limit and each hop's host
 * checked again, and a host name resolved and checked at each call, the connection made to the address checked.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class HttpToolTest {

  static final SecretBox SECRETS = SecretBox.ofKey("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
  static final String BOT = "bot_http_tools";

  HttpServer server;
  final List<String> paths = new CopyOnWriteArrayList<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  final List<String> bodies = new CopyOnWriteArrayList<>();
  final List<String> hosts = new CopyOnWriteArrayList<>();
  HttpTool open;
  HttpTool closed;
  Vertx vertx;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    vertx.createHttpServer().requestHandler(request -> {
      paths.add(request.uri());
      hosts.add(String.valueOf(request.getHeader("Host")));
      authorizations.add(String.valueOf(request.getHeader("Authorization")));
      request.body().onSuccess(body -> {
        bodies.add(body.toString());
        String path = request.path();
        if (path.startsWith("/orders/")) {
          request.response().putHeader("Content-Type", "application/json")
              .end(new JsonObject().put("order", path.substring(8)).put("status", "shipped").encode());
        } else if (path.equals("/missing")) {
          request.response().setStatusCode(404).end("no such order");
        } else if (path.equals("/broken")) {
          request.response().setStatusCode(500).end();
        } else if (path.equals("/slow")) {
          vertx.setTimer(5_000, t -> request.response().end("late"));
        } else if (path.equals("/big")) {
          request.response().setChunked(true).end("x".repeat(200_000));
        } else if (path.equals("/moved")) {
          request.response().setStatusCode(301).putHeader("Location", "/orders/M-1").end();
        } else if (path.equals("/loop")) {
          request.response().setStatusCode(302).putHeader("Location", "/loop").end();
        } else if (path.equals("/to-name")) {
          request.response().setStatusCode(302).putHeader("Location", "http://private.test/secret").end();
        } else if (path.equals("/to-private")) {
          request.response().setStatusCode(302).putHeader("Location", "http://10.0.0.1/secret").end();
        } else {
          request.response().setStatusCode(404).end();
        }
      });
    }).listen(0, "127.0.0.1").onComplete(ctx.succeeding(listening -> {
      server = listening;
      ctx.completeNow();
    }));
    AddressGate allowing = new AddressGate(vertx, new AddressGate.Policy(true, Set.of()), InetAddress::getAllByName,
        InternalAddresses::isInternal, "tool");
    // 127.0.0.1 plays a public address here; every other internal address stays refused
    AddressGate refusing = new AddressGate(vertx, new AddressGate.Policy(false, Set.of()), InetAddress::getAllByName,
        address -> !address.getHostAddress().equals("127.0.0.1") && InternalAddresses.isInternal(address), "tool");
    open = new HttpTool(vertx, allowing, SECRETS);
    closed = new HttpTool(vertx, refusing, SECRETS);
  }

  @AfterEach
  void stop() {
    open.close();
    closed.close();
    server.close();
  }

  JsonObject tool(String method, String url) {
    return new JsonObject().put("type", "http").put("name", "lookup").put("method", method).put("url", url)
        .put("timeout_ms", 1_000).put("max_response_bytes", 65_536)
        .put("headers", new JsonObject().put("Accept", "application/json"))
        .put("secret_headers", new JsonObject().put("Authorization", new JsonObject()
            .put("enc", SECRETS.encrypt("Bearer tool-secret-1234", BOT)).put("hint", "****1234")));
  }

  String base() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  @Test
  void a_get_fills_the_template_sends_the_secret_header_and_returns_the_body(VertxTestContext ctx) {
    open.call(BOT, tool("GET", base() + "/orders/{id}").put("query", new JsonObject().put("lang", "{lang}")),
        new JsonObject().put("id", "A 1042").put("lang", "en&x=1")).onComplete(ctx.succeeding(text -> ctx.verify(() -> {
          assertThat(new JsonObject(text).getString("status")).isEqualTo("shipped");
          assertThat(paths).containsExactly("/orders/A%201042?lang=en%26x%3D1");
          assertThat(authorizations).containsExactly("Bearer tool-secret-1234");
          ctx.completeNow();
        })));
  }

  @Test
  void a_post_sends_the_body_template_with_typed_arguments(VertxTestContext ctx) {
    JsonObject tool = tool("POST", base() + "/orders/new").put("body", new JsonObject()
        .put("items", "{count}").put("note", "for {name}"));
    open.call(BOT, tool, new JsonObject().put("count", 3).put("name", "Ann")).onComplete(ctx.succeeding(text -> ctx.verify(() -> {
      assertThat(new JsonObject(bodies.get(0))).isEqualTo(new JsonObject().put("items", 3).put("note", "for Ann"));
      ctx.completeNow();
    })));
  }

  @Test
  void a_template_injection_stays_inside_one_path_segment(VertxTestContext ctx) {
    open.call(BOT, tool("GET", base() + "/orders/{id}"), new JsonObject().put("id", "../admin"))
        .compose(first -> open.call(BOT, tool("GET", base() + "/orders/{id}"), new JsonObject().put("id", ".."))
            .map(second -> "ran")
            .recover(refused -> Future.succeededFuture(((ToolFailure) refused).code())))
        .onComplete(ctx.succeeding(second -> ctx.verify(() -> {
          assertThat(paths.get(0)).isEqualTo("/orders/..%2Fadmin");
          assertThat(second).isEqualTo("invalid_arguments");
          assertThat(paths).hasSize(1);
          ctx.completeNow();
        })));
  }

  @Test
  void answers_4xx_and_5xx_fail_with_the_status_for_the_model(VertxTestContext ctx) {
    Future<String> missing = failure(open.call(BOT, tool("GET", base() + "/missing"), new JsonObject()));
    Future<String> broken = failure(open.call(BOT, tool("GET", base() + "/broken"), new JsonObject()));
    Future.all(missing, broken).onComplete(ctx.succeeding(done -> ctx.verify(() -> {
      assertThat(missing.result()).isEqualTo("tool_failed: The tool answered HTTP 404: no such order");
      assertThat(broken.result()).isEqualTo("tool_failed: The tool answered HTTP 500");
      ctx.completeNow();
    })));
  }

  @Test
  void a_slow_tool_times_out_and_an_oversized_answer_is_refused(VertxTestContext ctx) {
    Future<String> slow = failure(open.call(BOT, tool("GET", base() + "/slow"), new JsonObject()));
    Future<String> big = failure(open.call(BOT, tool("GET", base() + "/big"), new JsonObject()));
    Future.all(slow, big).onComplete(ctx.succeeding(done -> ctx.verify(() -> {
      assertThat(slow.result()).isEqualTo("timeout: The tool did not answer within 1000 ms");
      assertThat(big.result()).isEqualTo("response_too_large: The tool's answer is larger than 65536 bytes");
      ctx.completeNow();
    })));
  }

  @Test
  void a_private_address_is_refused_before_any_connection_and_after_a_redirect(VertxTestContext ctx) {
    Future<String> direct = failure(closed.call(BOT, tool("GET", "http://10.1.2.3/orders"), new JsonObject()));
    Future<String> metadata = failure(closed.call(BOT, tool("GET", "http://169.254.169.254/latest"), new JsonObject()));
    Future<String> redirected = failure(closed.call(BOT, tool("GET", base() + "/to-private"), new JsonObject()));
    Future.all(direct, metadata, redirected).onComplete(ctx.succeeding(done -> ctx.verify(() -> {
      assertThat(direct.result()).startsWith("url_not_allowed: ").contains("tool.allow_private_urls");
      assertThat(metadata.result()).startsWith("url_not_allowed: ");
      assertThat(redirected.result()).startsWith("url_not_allowed: ");
      assertThat(paths).containsExactly("/to-private");
      for (String message : List.of(direct.result(), metadata.result(), redirected.result())) {
        assertThat(message).doesNotContain("tool-secret");
      }
      ctx.completeNow();
    })));
  }

  @Test
  void redirects_are_followed_at_most_three_times_and_every_hop_is_checked_again(VertxTestContext ctx) {
    Future<String> moved = failure(closed.call(BOT, slowTolerant(base() + "/moved"), new JsonObject()));
    Future<String> loop = failure(closed.call(BOT, slowTolerant(base() + "/loop"), new JsonObject()));
    Future<String> toName = failure(new HttpTool(vertx, names(new AtomicInteger()), SECRETS)
        .call(BOT, slowTolerant(base() + "/to-name"), new JsonObject()));
    Future.all(moved, loop, toName).onComplete(ctx.succeeding(done -> ctx.verify(() -> {
      assertThat(moved.result()).as("paths %s", paths).startsWith("succeeded: ").contains("M-1");
      assertThat(loop.result()).isEqualTo("tool_failed: The tool redirected more than 3 times");
      assertThat(toName.result()).startsWith("url_not_allowed: ");
      assertThat(paths.stream().filter("/loop"::equals)).hasSize(4);
      assertThat(paths).doesNotContain("/secret");
      ctx.completeNow();
    })));
  }

  @Test
  void a_host_name_is_resolved_and_checked_at_each_call_and_connected_to_at_the_checked_address(VertxTestContext ctx) {
    AtomicInteger lookups = new AtomicInteger();
    HttpTool tool = new HttpTool(vertx, names(lookups), SECRETS);
    String shop = "http://shop.test:" + server.actualPort();
    // the first answer for shop.test is the test server; every later one rebinds it to 10.0.0.1
    tool.call(BOT, slowTolerant(shop + "/orders/{id}"), new JsonObject().put("id", "A-1"))
        .compose(first -> {
          ctx.verify(() -> {
            assertThat(new JsonObject(first).getString("order")).isEqualTo("A-1");
            assertThat(lookups.get()).as("resolved once, connected to what was checked").isEqualTo(1);
            assertThat(hosts).containsExactly("shop.test:" + server.actualPort());
          });
          return failure(tool.call(BOT, slowTolerant(shop + "/orders/{id}"), new JsonObject().put("id", "A-2")));
        })
        .compose(second -> failure(tool.call(BOT, slowTolerant("http://private.test/orders"), new JsonObject()))
            .map(third -> List.of(second, third)))
        .eventually(tool::close)
        .onComplete(ctx.succeeding(refused -> ctx.verify(() -> {
          assertThat(refused.get(0)).startsWith("url_not_allowed: ").contains("private");
          assertThat(refused.get(1)).startsWith("url_not_allowed: ");
          assertThat(paths).containsExactly("/orders/A-1");
          ctx.completeNow();
        })));
  }

  /** A GET tool with 5 s to answer: these calls make several connections, on a machine that may be busy. */
  JsonObject slowTolerant(String url) {
    return tool("GET", url).put("timeout_ms", 5_000);
  }

  /**
   * A gate whose DNS answers shop.test with 127.0.0.1 (a public address here) the first time and 10.0.0.1 after,
   * and private.test with 10.0.0.2; {@code lookups} counts the shop.test lookups.
   */
  AddressGate names(AtomicInteger lookups) {
    AddressGate.Resolver dns = host -> {
      byte[] address = switch (host) {
        case "shop.test" -> lookups.getAndIncrement() == 0 ? new byte[] {127, 0, 0, 1} : new byte[] {10, 0, 0, 1};
        case "private.test" -> new byte[] {10, 0, 0, 2};
        default -> throw new java.net.UnknownHostException(host);
      };
      return new InetAddress[] {InetAddress.getByAddress(host, address)};
    };
    return new AddressGate(vertx, new AddressGate.Policy(false, Set.of()), dns,
        address -> !address.getHostAddress().equals("127.0.0.1") && InternalAddresses.isInternal(address), "tool");
  }

  /** {@code code: message} of a failed call. */
  static Future<String> failure(Future<String> call) {
    return call.map(text -> "succeeded: " + text).recover(failed -> Future.succeededFuture(
        failed instanceof ToolFailure tool ? tool.code() + ": " + tool.getMessage() : failed.toString()));
  }
}
