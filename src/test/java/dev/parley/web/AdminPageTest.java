package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.Fault;
import dev.parley.testing.Await;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** The admin dashboard in a real browser, one admin session through the whole class. */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminPageTest {

  static final String XSS_NAME = "<img src=x onerror=alert(1)> Support";

  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireInstalled();
    browser = Browser.start();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  private WebElement byId(String id) {
    return browser.waitFor(d -> d.findElement(By.id(id)));
  }

  private void field(String path, String value) {
    WebElement el = browser.driver.findElement(By.cssSelector("[data-field='" + path + "']"));
    el.clear();
    el.sendKeys(value);
  }

  @Test
  @Order(1)
  void admin_signs_in_with_the_token_and_a_wrong_one_is_refused() {
    browser.open("/admin");
    browser.hookDialogs();
    browser.waitFor(d -> d.findElement(By.cssSelector("#use-token summary"))).click();
    byId("token").sendKeys("not-the-token");
    browser.driver.findElement(By.cssSelector("#token-form button[type=submit]")).click();
    WebElement error = browser.waitFor(d -> {
      WebElement e = d.findElement(By.cssSelector("#token-form .error"));
      return e.isDisplayed() ? e : null;
    });
    assertThat(error.getText()).contains("not valid");
    browser.screenshot("admin-sign-in");
    WebElement token = byId("token");
    token.clear();
    token.sendKeys(TestApp.ADMIN_TOKEN);
    browser.driver.findElement(By.cssSelector("#token-form button[type=submit]")).click();
    browser.waitFor(d -> d.findElement(By.id("bots")).isDisplayed());
    assertThat(browser.js("return sessionStorage.getItem('parley.admin.token');")).isEqualTo(TestApp.ADMIN_TOKEN);
  }

  @Test
  @Order(2)
  void admin_creates_a_bot_and_copies_its_snippet() {
    browser.open("/admin/#/bots/new");
    browser.hookDialogs();
    byId("f-name");
    field("name", XSS_NAME);
    field("api_key", "sk-test-0123456789abcdef");
    field("widget.greeting", "Hi there");
    field("allowed_origins", "not an origin");
    field("temperature", "3");
    byId("save").click();
    assertThat(byId("f-allowed_origins-error").getText()).contains("is not an origin");
    assertThat(byId("f-temperature-error").getText()).contains("between 0 and 2");
    assertThat(browser.driver.findElement(By.cssSelector("[data-field=temperature]")).getDomAttribute("aria-invalid")).isEqualTo("true");
    browser.screenshot("admin-form-errors");
    field("temperature", "0.5");
    browser.driver.findElement(By.cssSelector("[data-field=allowed_origins]")).clear();
    browser.driver.findElement(By.cssSelector("[data-field='rag.enabled']")).click();
    byId("save").click();

    WebElement code = browser.waitFor(d -> d.findElement(By.id("embed-code")));
    JsonObject bot = Await.result(browser.app.admin(io.vertx.core.http.HttpMethod.GET, "/api/bots").send())
        .bodyAsJsonObject().getJsonArray("bots").getJsonObject(0);
    assertThat(bot.getString("name")).isEqualTo(XSS_NAME);
    assertThat(bot.getDouble("temperature")).isEqualTo(0.5);
    assertThat(bot.getBoolean("api_key_set")).isTrue();
    assertThat(code.getDomProperty("value")).isEqualTo(bot.getJsonObject("deploy").getString("embed_code"));
    assertThat(byId("chat-url").getDomProperty("value")).isEqualTo(browser.base + "/chat/" + bot.getString("id"));
    assertThat(byId("bot-title").getText()).isEqualTo(XSS_NAME);
    byId("copy-embed").click();
    browser.waitFor(d -> "Copied".equals(d.findElement(By.id("copy-embed")).getText()));
    browser.driver.switchTo().frame(browser.driver.findElement(By.cssSelector("#preview iframe")));
    browser.waitFor(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    assertThat(browser.driver.findElement(By.id("title")).getText()).isEqualTo(XSS_NAME);
    browser.driver.switchTo().defaultContent();
    browser.screenshot("admin-deploy");

    browser.open("/admin/#/bots/" + bot.getString("id"));
    WebElement key = browser.waitFor(d -> {
      WebElement k = d.findElement(By.id("f-api_key"));
      return k.getDomAttribute("placeholder").contains("Stored") ? k : null;
    });
    assertThat(key.getDomProperty("value")).isEmpty();
    assertThat(key.getDomAttribute("placeholder")).contains(bot.getString("api_key_hint"));
    assertThat(browser.dialogs()).isZero();
  }

  @Test
  @Order(3)
  void api_errors_are_shown_on_the_field() {
    JsonObject bot = browser.createBot(new JsonObject().put("name", "Edit me"));
    browser.open("/admin/#/bots/" + bot.getString("id"));
    byId("f-provider");
    // The browser sends what the API refuses: a base URL the client accepts but that is too long.
    field("base_url", "https://example.com/" + "a".repeat(600));
    byId("save").click();
    WebElement error = browser.waitFor(d -> {
      WebElement e = d.findElement(By.cssSelector("#bot-form .error"));
      return e.isDisplayed() ? e : null;
    });
    assertThat(error.getText()).contains("base_url");
    assertThat(byId("f-base_url-error").getText()).isNotEmpty();
    field("base_url", "");
    field("widget.title", "Edited title");
    byId("save").click();
    browser.waitFor(d -> {
      JsonObject saved = Await.result(browser.app.admin(io.vertx.core.http.HttpMethod.GET, "/api/bots/" + bot.getString("id")).send())
          .bodyAsJsonObject();
      return "Edited title".equals(saved.getJsonObject("widget").getString("title"));
    });
  }

  @Test
  @Order(4)
  void conversation_logs_show_messages_as_text_with_feedback_and_usage_charts() {
    JsonObject bot = browser.createBot(new JsonObject().put("name", "Logged").put("api_key", "sk-test-0123456789abcdef")
        .put("rag", new JsonObject().put("enabled", false)));
    String id = bot.getString("id");
    String payload = "<img src=x onerror=alert(1)><script>alert(2)</script>";
    JsonObject reply = Await.result(browser.app.chat(id, new JsonObject().put("message", payload))).bodyAsJsonObject();
    Await.result(browser.app.client.post("/api/chat/" + id + "/messages/" + reply.getString("message_id") + "/feedback")
        .sendJsonObject(new JsonObject().put("rating", "down").put("comment", "<b>meh</b>")));

    browser.open("/admin/#/bots/" + id + "/conversations");
    browser.hookDialogs();
    browser.waitFor(d -> d.findElement(By.cssSelector("#conversations tbody a"))).click();
    WebElement transcript = browser.waitFor(d -> {
      WebElement t = d.findElement(By.id("transcript"));
      return t.findElements(By.cssSelector(".msg")).size() == 2 ? t : null;
    });
    assertThat(transcript.getText()).contains(payload, "Echo: " + payload, "not helpful — <b>meh</b>");
    assertThat(transcript.findElements(By.cssSelector("img, script, b"))).isEmpty();
    browser.screenshot("admin-conversation");

    // a visitor asks for a person and an agent answers: the usage page shows it with the turns
    String session = "usage-handoff-0001";
    Await.result(browser.app.admin(io.vertx.core.http.HttpMethod.PUT, "/api/bots/" + id)
        .sendJsonObject(new JsonObject().put("handoff", new JsonObject().put("enabled", true))));
    assertThat(Await.result(browser.app.client.post("/api/chat/" + id + "/session/" + session + "/handoff").send())
        .statusCode()).isEqualTo(202);
    String waiting = Await.result(browser.app.admin(io.vertx.core.http.HttpMethod.GET, "/api/inbox?state=waiting&bot_id=" + id)
        .send()).bodyAsJsonObject().getJsonArray("conversations").getJsonObject(0).getString("conversation_id");
    assertThat(Await.result(browser.app.admin(io.vertx.core.http.HttpMethod.POST, "/api/bots/" + id + "/conversations/"
        + waiting + "/messages").sendJsonObject(new JsonObject().put("text", "Hello"))).statusCode()).isEqualTo(201);

    browser.open("/admin/#/bots/" + id + "/usage");
    WebElement turns = browser.waitFor(d -> d.findElement(By.id("chart-turns")));
    assertThat(turns.findElements(By.cssSelector("svg rect"))).hasSize(1);
    assertThat(turns.getText()).contains("total 1");
    assertThat(browser.driver.findElements(By.cssSelector("#charts figure"))).hasSize(8);
    WebElement handoffs = byId("chart-handoffs");
    assertThat(handoffs.getText()).contains("Requests for a person", "total 1", "visitor asked");
    assertThat(handoffs.findElements(By.cssSelector("svg rect"))).hasSize(1);
    WebElement firstReply = byId("chart-first-reply");
    assertThat(firstReply.getText()).contains("Time to first human reply", "average");
    assertThat(firstReply.findElements(By.cssSelector("svg rect"))).hasSize(1);
    assertThat(byId("conversation-states").getText()).contains("0 waiting for a person, 1 with a person");
    browser.js("document.getElementById('chart-handoffs').scrollIntoView();");
    browser.screenshot("admin-usage");
    assertThat(browser.dialogs()).isZero();
  }

  @Test
  @Order(5)
  void admin_deletes_a_bot_from_the_list_and_works_on_a_phone() {
    JsonObject bot = browser.createBot(new JsonObject().put("name", "Delete me"));
    browser.size(390, 844);
    browser.open("/admin/#/bots");
    browser.js("window.confirm = function () { return true; };");
    WebElement row = browser.waitFor(d -> d.findElement(By.cssSelector("tr[data-bot-id='" + bot.getString("id") + "']")));
    assertThat(browser.js("return document.documentElement.scrollWidth <= window.innerWidth;")).isEqualTo(true);
    browser.screenshot("admin-list-phone");
    row.findElement(By.cssSelector("button.danger")).click();
    browser.waitFor(d -> d.findElements(By.cssSelector("tr[data-bot-id='" + bot.getString("id") + "']")).isEmpty());
    assertThat(Await.result(browser.app.admin(io.vertx.core.http.HttpMethod.GET, "/api/bots/" + bot.getString("id")).send())
        .statusCode()).isEqualTo(404);
    browser.size(1280, 900);
  }

  @Test
  @Order(6)
  void pages_carry_security_headers() {
    HttpResponse<Buffer> admin = Await.result(browser.app.client.get("/admin/").send());
    assertThat(admin.statusCode()).isEqualTo(200);
    assertThat(admin.getHeader("Content-Security-Policy")).contains("frame-ancestors 'none'", "script-src 'self'",
        "object-src 'none'", "base-uri 'none'");
    assertThat(admin.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    JsonObject open = browser.createBot(new JsonObject().put("name", "Open"));
    JsonObject limited = browser.createBot(new JsonObject().put("name", "Limited")
        .put("allowed_origins", new JsonArray().add("https://shop.example")));
    HttpResponse<Buffer> any = Await.result(browser.app.client.get("/chat/" + open.getString("id")).send());
    assertThat(any.getHeader("Content-Security-Policy")).contains("frame-ancestors *", "img-src 'self' data:");
    HttpResponse<Buffer> some = Await.result(browser.app.client.get("/chat/" + limited.getString("id")).send());
    assertThat(some.getHeader("Content-Security-Policy")).endsWith("frame-ancestors 'self' https://shop.example");
    assertThat(some.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(Await.result(browser.app.client.get("/chat/bot_unknown").send()).statusCode()).isEqualTo(404);
    HttpResponse<Buffer> widget = Await.result(browser.app.client.get("/widget.js").send());
    assertThat(widget.getHeader("Content-Type")).contains("javascript");
    assertThat(widget.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(widget.body().length()).isLessThan(8 * 1024);
    JsonObject config = Await.result(browser.app.client.get("/api/chat/" + limited.getString("id") + "/config").send())
        .bodyAsJsonObject();
    assertThat(config.fieldNames()).containsExactlyInAnyOrder("id", "name", "max_message_chars", "widget", "handoff");
    assertThat(config.getJsonObject("widget").getString("citations")).isEqualTo("titles");
  }

  @Test
  @Order(7)
  void a_bot_whose_key_was_refused_shows_a_badge_in_the_list_and_on_its_page_until_the_key_is_changed() {
    String healthy = browser.createBot(new JsonObject().put("name", "Healthy").put("api_key", "sk-healthy-0123456789"))
        .getString("id");
    String broken = browser.createBot(new JsonObject().put("name", "Broken key").put("api_key", "sk-revoked-0123456789"))
        .getString("id");
    browser.app.openai.enqueue(Fault.status(401));
    assertThat(Await.result(browser.app.chat(broken, new JsonObject().put("message", "hi"))).statusCode())
        .isEqualTo(503);

    browser.useAdminToken();
    browser.open("/admin/#/bots");
    WebElement badge = browser.waitFor(d -> d.findElement(
        By.cssSelector("tr[data-bot-id='" + broken + "'] .provider-status")));
    assertThat(badge.getText()).isEqualTo("API key invalid");
    assertThat(badge.getDomAttribute("title")).contains("refused the API key");
    assertThat(browser.driver.findElements(By.cssSelector("tr[data-bot-id='" + healthy + "'] .provider-status")))
        .isEmpty();
    browser.screenshot("admin-provider-status");

    browser.open("/admin/#/bots/" + broken);
    WebElement title = browser.waitFor(d -> d.findElement(By.cssSelector("#bot-title .provider-status")));
    assertThat(title.getText()).isEqualTo("API key invalid");

    Await.result(browser.app.admin(io.vertx.core.http.HttpMethod.PUT, "/api/bots/" + broken)
        .sendJsonObject(new JsonObject().put("api_key", "sk-a-new-key-0123456789")));
    browser.open("/admin/#/bots");
    browser.waitFor(d -> d.findElement(By.cssSelector("tr[data-bot-id='" + broken + "']")));
    assertThat(browser.driver.findElements(By.cssSelector(".provider-status"))).isEmpty();
  }

  @Test
  @Order(8)
  void the_handoff_settings_are_set_in_the_bot_form_checked_saved_and_shown_again() {
    String id = browser.createBot(new JsonObject().put("name", "People")).getString("id");
    browser.open("/admin/#/bots/" + id);
    browser.hookDialogs();
    WebElement enabled = byId("f-handoff-enabled");
    assertThat(enabled.isSelected()).isFalse();
    assertThat(byId("f-handoff-triggers-no_answer_turns").getDomProperty("value")).isEqualTo("0");
    enabled.click();
    field("handoff.triggers.keywords", "human\ntalk to someone");
    field("handoff.triggers.no_answer_turns", "3");
    byId("f-handoff-triggers-negative_feedback").click();
    field("handoff.message_waiting", "A person is coming.");
    field("handoff.message_offline", "Nobody is here now.");
    byId("f-handoff-hours").click();
    field("handoff.hours.timezone", "Mars/Olympus");
    field("handoff.hours.weekly.mon", "09:00-12:00, 13:00-17:30");
    field("handoff.hours.weekly.sat", "9-5");
    byId("save").click();
    assertThat(byId("f-handoff-hours-weekly-sat-error").getText()).contains("not a range");
    field("handoff.hours.weekly.sat", "");
    byId("save").click();
    // the server refuses the time zone: shown on the hours
    browser.waitFor(d -> d.findElement(By.id("f-handoff-hours-error")).getText().contains("time zone"));
    field("handoff.hours.timezone", "Europe/Paris");
    byId("save").click();

    JsonObject expected = new JsonObject().put("enabled", true)
        .put("triggers", new JsonObject().put("keywords", new JsonArray().add("human").add("talk to someone"))
            .put("no_answer_turns", 3).put("negative_feedback", true))
        .put("message_waiting", "A person is coming.").put("message_offline", "Nobody is here now.")
        .put("hours", new JsonObject().put("timezone", "Europe/Paris").put("weekly", new JsonObject()
            .put("mon", new JsonArray().add("09:00-12:00").add("13:00-17:30"))));
    browser.waitFor(d -> expected.equals(Await.result(browser.app.admin(io.vertx.core.http.HttpMethod.GET, "/api/bots/" + id)
        .send()).bodyAsJsonObject().getJsonObject("handoff")));

    browser.driver.navigate().refresh();
    assertThat(browser.waitFor(d -> d.findElement(By.id("f-handoff-enabled"))).isSelected()).isTrue();
    assertThat(byId("f-handoff-triggers-keywords").getDomProperty("value")).isEqualTo("human\ntalk to someone");
    assertThat(byId("f-handoff-triggers-no_answer_turns").getDomProperty("value")).isEqualTo("3");
    assertThat(byId("f-handoff-triggers-negative_feedback").isSelected()).isTrue();
    assertThat(byId("f-handoff-message_waiting").getDomProperty("value")).isEqualTo("A person is coming.");
    assertThat(byId("f-handoff-hours").isSelected()).isTrue();
    assertThat(byId("f-handoff-hours-timezone").getDomProperty("value")).isEqualTo("Europe/Paris");
    assertThat(byId("f-handoff-hours-weekly-mon").getDomProperty("value")).isEqualTo("09:00-12:00, 13:00-17:30");
    assertThat(byId("f-handoff-hours-weekly-sat").getDomProperty("value")).isEmpty();
    browser.js("document.getElementById('handoff-settings').previousElementSibling.scrollIntoView();");
    browser.screenshot("admin-bot-handoff");

    // unticking the hours makes people always there
    byId("f-handoff-hours").click();
    byId("save").click();
    browser.waitFor(d -> Await.result(browser.app.admin(io.vertx.core.http.HttpMethod.GET, "/api/bots/" + id).send())
        .bodyAsJsonObject().getJsonObject("handoff").getValue("hours") == null);
    assertThat(browser.dialogs()).isZero();
  }
}
