package dev.parley.web;

import static dev.parley.fake.FakeModelServer.toolResults;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.FakeToolCall;
import dev.parley.testing.Await;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * Tools in a real browser: the admin adds an HTTP tool against a local shop server, saves it and tests it with the
 * button; a schema Parley does not check is refused with the 422 shown at the field; a secret header is shown masked
 * after a reload; the conversation log shows a turn's tool calls; the widget on a shop's page shows the tool's label
 * while it runs and takes it away when the answer is done.
 */
@Timeout(120)
class ToolsBrowserTest {

  static final String SECRET = "Bearer shop-secret-4242";

  static Browser browser;
  static HttpServer shop;
  static final List<String> authorizations = new CopyOnWriteArrayList<>();
  /** Completed by the widget test to let the shop answer a held lookup. */
  static volatile Promise<Void> release = Promise.promise();

  @BeforeAll
  static void start() throws Exception {
    Browser.requireInstalled();
    browser = Browser.start(new JsonObject().put("tool", new JsonObject().put("allow_private_urls", true)
        .put("allowed_url_ports", new JsonArray())));
    shop = Await.result(browser.vertx.createHttpServer().requestHandler(request -> {
      if (request.path().equals("/host.html")) {
        request.response().putHeader("Content-Type", "text/html; charset=utf-8")
            .end("<!doctype html><html><head><title>Shop</title></head><body><h1>The shop</h1><script src=\""
                + browser.base + "/widget.js\" data-bot-id=\"" + request.getParam("bot") + "\" async></script>"
                + "</body></html>");
        return;
      }
      authorizations.add(String.valueOf(request.getHeader("Authorization")));
      String order = request.path().substring(request.path().lastIndexOf('/') + 1);
      String body = new JsonObject().put("order", order).put("status", "shipped").encode();
      if (request.path().startsWith("/held/")) {
        release.future().onComplete(go -> request.response().end(body));
      } else {
        request.response().putHeader("Content-Type", "application/json").end(body);
      }
    }).listen(0, "127.0.0.1"));
    browser.useAdminToken();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  @BeforeEach
  void reset() {
    browser.app.openai.reset();
    authorizations.clear();
  }

  static String url(String path) {
    return "http://127.0.0.1:" + shop.actualPort() + path;
  }

  static JsonObject orderSchema() {
    return new JsonObject().put("type", "object")
        .put("properties", new JsonObject().put("order_id", new JsonObject().put("type", "string")))
        .put("required", new JsonArray().add("order_id"));
  }

  static JsonObject lookup(String path) {
    return new JsonObject().put("type", "http").put("name", "lookup_order").put("label", "Looking up your order…")
        .put("description", "Finds an order by its id").put("url", url(path)).put("parameters", orderSchema());
  }

  static String bot(String name, JsonObject... tools) {
    return browser.createBot(new JsonObject().put("name", name).put("provider", "openai")
        .put("api_key", "sk-test-0123456789abcdef").put("rag", new JsonObject().put("enabled", false))
        .put("tools", new JsonArray(List.of((Object[]) tools)))).getString("id");
  }

  static WebElement byId(String id) {
    return browser.waitFor(d -> d.findElement(By.id(id)));
  }

  /** Sets a control's value as typing would (an input event, so a shown error is cleared). */
  static void fill(String id, String value) {
    browser.js("const el = arguments[0]; el.value = arguments[1];"
        + "el.dispatchEvent(new Event('input', {bubbles: true}));", byId(id), value);
  }

  static void openSettings(String botId) {
    browser.open("/admin/#/bots/" + botId);
    browser.driver.navigate().refresh();
    byId("tools-section");
  }

  @Test
  void an_admin_adds_an_http_tool_saves_it_and_the_test_button_shows_the_shops_answer() {
    String botId = bot("Shop");
    openSettings(botId);
    assertThat(byId("tools-none").getText()).contains("No tools");
    byId("tool-add-type").sendKeys("http");
    byId("tool-add").click();
    fill("t-0-name", "lookup_order");
    fill("t-0-label", "Looking up your order…");
    fill("t-0-description", "Finds an order by its id");
    fill("t-0-url", url("/orders/{order_id}"));
    fill("t-0-parameters", orderSchema().encodePrettily());
    WebElement secretRow = browser.driver.findElement(By.cssSelector("#tool-0 .secret-row:not([data-stored])"));
    secretRow.findElement(By.className("secret-name")).sendKeys("Authorization");
    secretRow.findElement(By.className("secret-value")).sendKeys(SECRET);
    byId("save").click();
    // saved, the page is drawn again from the server: the tool can be tested now
    WebElement test = byId("tool-0-test");
    fill("tool-0-arguments", "{\"order_id\": \"A-1042\"}");
    test.click();
    WebElement result = browser.waitFor(d -> {
      WebElement r = d.findElement(By.id("tool-0-result"));
      return "done".equals(r.getDomAttribute("data-status")) ? r : null;
    });
    assertThat(result.getText()).startsWith("Done in ").contains("\"order\":\"A-1042\"").contains("shipped");
    assertThat(authorizations).containsExactly(SECRET);
    JsonObject stored = Await.result(browser.app.admin(HttpMethod.GET, "/api/bots/" + botId).send()).bodyAsJsonObject()
        .getJsonArray("tools").getJsonObject(0);
    assertThat(stored.getString("url")).isEqualTo(url("/orders/{order_id}"));
    assertThat(stored.getString("label")).isEqualTo("Looking up your order…");
    assertThat(stored.getJsonObject("parameters")).isEqualTo(orderSchema());
    assertThat(stored.getJsonArray("secret_headers_set")).containsExactly("Authorization");

    // after a reload the secret is shown by its hint only, and saving again keeps it
    openSettings(botId);
    WebElement kept = byId("tool-0").findElement(By.cssSelector(".secret-row[data-stored]"));
    assertThat(kept.findElement(By.className("secret-hint")).getText()).isEqualTo("Authorization: ****4242");
    assertThat(kept.findElement(By.className("secret-value")).getDomProperty("value")).isEmpty();
    assertThat(browser.driver.getPageSource()).doesNotContain("shop-secret");
    fill("t-0-label", "Checking your order…");
    byId("save").click();
    browser.waitFor(d -> Await.result(browser.app.admin(HttpMethod.GET, "/api/bots/" + botId).send()).bodyAsJsonObject()
        .getJsonArray("tools").getJsonObject(0).getString("label").equals("Checking your order…"));
    openSettings(botId);
    fill("tool-0-arguments", "{\"order_id\": \"B-7\"}");
    byId("tool-0-test").click();
    browser.waitFor(d -> "done".equals(d.findElement(By.id("tool-0-result")).getDomAttribute("data-status")));
    assertThat(authorizations).containsExactly(SECRET, SECRET);
  }

  @Test
  void a_schema_parley_does_not_check_is_refused_with_the_422_shown_at_the_parameters() {
    String botId = bot("Strict", lookup("/orders/{order_id}"));
    openSettings(botId);
    fill("t-0-parameters", new JsonObject().put("type", "object").put("properties", new JsonObject()
        .put("order_id", new JsonObject().put("type", "string").put("pattern", "[A-Z]-\\d+"))).encodePrettily());
    byId("save").click();
    WebElement parameters = browser.waitFor(d -> {
      WebElement el = d.findElement(By.id("t-0-parameters"));
      return "true".equals(el.getDomAttribute("aria-invalid")) ? el : null;
    });
    assertThat(parameters).isNotNull();
    assertThat(byId("t-0-parameters-error").getText()).contains("pattern");
    // JSON that does not parse never leaves the page
    fill("t-0-headers", "{\"Accept\": ");
    byId("save").click();
    browser.waitFor(d -> byId("t-0-headers-error").getText().startsWith("Not valid JSON"));
    JsonObject stored = Await.result(browser.app.admin(HttpMethod.GET, "/api/bots/" + botId).send()).bodyAsJsonObject()
        .getJsonArray("tools").getJsonObject(0);
    assertThat(stored.getJsonObject("parameters")).isEqualTo(orderSchema());
  }

  @Test
  void the_conversation_log_shows_each_tool_call_with_its_arguments_result_status_and_latency() {
    String botId = bot("Logged", lookup("/orders/{order_id}"));
    browser.app.openai.answer(body -> toolResults(body) == 0 ? "" : "Your order has shipped.");
    browser.app.openai.answerToolCalls(body -> toolResults(body) == 0
        ? List.of(FakeToolCall.of("call_1", "lookup_order", new JsonObject().put("order_id", "A-1042"))) : List.of());
    assertThat(Await.result(browser.app.chat(botId, new JsonObject().put("message", "Where is A-1042?"))).statusCode())
        .isEqualTo(200);
    String conversation = Await.result(browser.app.admin(HttpMethod.GET, "/api/bots/" + botId + "/conversations").send())
        .bodyAsJsonObject().getJsonArray("conversations").getJsonObject(0).getString("id");
    browser.open("/admin/#/bots/" + botId + "/conversations/" + conversation);
    WebElement calls = browser.waitFor(d -> d.findElement(By.cssSelector("#transcript .msg.assistant .tool-calls")));
    calls.findElement(By.tagName("summary")).click();
    assertThat(calls.findElement(By.tagName("summary")).getText()).isEqualTo("Tool calls (1)");
    assertThat(calls.findElement(By.className("tool-call-head")).getText())
        .matches("step 1 · lookup_order \\(http\\) · done · \\d+ ms");
    assertThat(calls.findElement(By.className("tool-arguments")).getText()).isEqualTo("{\"order_id\":\"A-1042\"}");
    assertThat(calls.findElement(By.className("tool-result-text")).getText()).contains("A-1042").contains("shipped");
  }

  @Test
  void the_widget_on_a_shops_page_shows_the_tools_label_while_it_runs_and_takes_it_away_with_the_answer() {
    String shopOrigin = "http://127.0.0.1:" + shop.actualPort();
    String botId = browser.createBot(new JsonObject().put("name", "Chatty").put("provider", "openai")
        .put("api_key", "sk-test-0123456789abcdef").put("rag", new JsonObject().put("enabled", false))
        .put("allowed_origins", new JsonArray().add(shopOrigin))
        .put("widget", new JsonObject().put("title", "Shop help"))
        .put("tools", new JsonArray().add(lookup("/held/{order_id}")))).getString("id");
    release = Promise.promise();
    browser.app.openai.answer(body -> toolResults(body) == 0 ? "Let me check." : "It has shipped.");
    browser.app.openai.answerToolCalls(body -> toolResults(body) == 0
        ? List.of(FakeToolCall.of("call_1", "lookup_order", new JsonObject().put("order_id", "A-7"))) : List.of());
    browser.openWidget(shopOrigin + "/host.html?bot=" + botId, "Shop help");
    WebElement input = byId("input");
    input.sendKeys("Where is my order A-7?");
    input.sendKeys(Keys.ENTER);
    WebElement status = browser.waitFor(d -> d.findElement(By.cssSelector("#log .msg.assistant .tool-status")));
    assertThat(status.getText()).isEqualTo("Looking up your order…");
    assertThat(status.getDomAttribute("role")).isEqualTo("status");
    browser.vertx.runOnContext(go -> release.tryComplete());
    WebElement answer = browser.waitFor(d -> {
      List<WebElement> done = d.findElements(By.cssSelector("#log .msg.assistant:not(.greeting)"));
      WebElement last = done.isEmpty() ? null : done.get(done.size() - 1);
      return last != null && !last.findElements(By.cssSelector(".feedback")).isEmpty() ? last : null;
    });
    assertThat(answer.findElements(By.className("tool-status"))).isEmpty();
    assertThat(answer.getText()).contains("Let me check.").contains("It has shipped.").doesNotContain("A-7\"");
    assertThat(browser.dialogs()).isZero();
    browser.driver.switchTo().defaultContent();
  }
}
