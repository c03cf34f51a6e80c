package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebElement;

/**
 * The widget on a host page served from another origin (a second HTTP server on another port),
 * and the chat page's frame-ancestors policy.
 */
@Timeout(120)
class WidgetTest {

  static Browser browser;
  static HttpServer host;
  static String hostOrigin;
  static JsonObject allowed;
  static JsonObject elsewhere;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireInstalled();
    browser = Browser.start();
    host = Browser.await(browser.vertx.createHttpServer().requestHandler(request -> {
      String bot = request.getParam("bot");
      String body;
      if ("/frame.html".equals(request.path())) {
        body = "<!doctype html><title>Framing host</title><iframe id=chat src=\"" + browser.base + "/chat/" + bot
            + "?embed=1\" width=400 height=500></iframe>";
      } else {
        body = "<!doctype html><html><head><title>Host shop</title><style>"
            + "body{font-family:Georgia,serif;background:rgb(250,240,230);margin:0}"
            + "button{background:rgb(255,0,0);color:rgb(255,255,255);font-size:20px;padding:4px}"
            + "iframe{border:5px solid rgb(0,0,255)} div{color:rgb(0,128,0)}</style></head><body>"
            + "<h1>Host shop</h1><div id=own>The host's own text</div><button id=buy>Buy</button>"
            + "<script>window.events=[];</script>"
            + "<script src=\"" + browser.base + "/widget.js\" data-bot-id=\"" + bot + "\" async></script>"
            + "<script>var t=setInterval(function(){if(window.Parley&&window.Parley.on){clearInterval(t);"
            + "['open','close','message'].forEach(function(n){Parley.on(n,function(){events.push(n);});});}},20);</script>"
            + "</body></html>";
      }
      request.response().putHeader("Content-Type", "text/html; charset=utf-8").end(body);
    }).listen(0, "127.0.0.1"));
    hostOrigin = "http://127.0.0.1:" + host.actualPort();
    allowed = browser.createBot(new JsonObject().put("name", "Shop helper").put("api_key", "sk-test-0123456789abcdef")
        .put("rag", new JsonObject().put("enabled", false))
        .put("allowed_origins", new JsonArray().add(hostOrigin))
        .put("widget", new JsonObject().put("color", "#be123c").put("position", "bottom-left").put("title", "Shop help")
            .put("greeting", "Welcome to the shop!")));
    elsewhere = browser.createBot(new JsonObject().put("name", "Other site only").put("api_key", "sk-test-0123456789abcdef")
        .put("allowed_origins", new JsonArray().add("https://other.example")));
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  private Object hostStyles() {
    return browser.js("var b=getComputedStyle(document.getElementById('buy'));var d=getComputedStyle(document.getElementById('own'));"
        + "var s=getComputedStyle(document.body);"
        + "return [b.backgroundColor,b.color,b.fontSize,d.color,s.fontFamily,s.backgroundColor,document.styleSheets.length,"
        + "document.documentElement.scrollWidth,document.body.getBoundingClientRect().height].join('|');");
  }

  private SearchContext widgetRoot() {
    return browser.waitFor(d -> {
      List<WebElement> hosts = d.findElements(By.cssSelector("[data-parley]"));
      return hosts.isEmpty() ? null : hosts.get(0).getShadowRoot();
    });
  }

  @Test
  void widget_from_another_origin_opens_chats_and_leaves_host_styles_alone() {
    browser.size(1280, 900);
    browser.open(hostOrigin + "/host.html?bot=" + allowed.getString("id"));
    browser.hookDialogs();
    SearchContext root = widgetRoot();
    // The host's own styles as they are with the widget loaded, closed; they stay the same when it opens and chats.
    Object before = hostStyles();
    WebElement launcher = root.findElement(By.cssSelector("button.l"));
    browser.waitFor(d -> launcher.getDomAttribute("aria-label").startsWith("Open chat: Shop help"));
    assertThat(root.findElement(By.cssSelector(".b")).getText()).isEqualTo("1");
    assertThat(launcher.getCssValue("background-color")).isEqualTo("rgba(190, 18, 60, 1)");
    assertThat(launcher.getRect().getX()).isLessThan(100);
    assertThat(browser.js("return Object.keys(window).filter(function(k){return /parley/i.test(k);});"))
        .isEqualTo(List.of("Parley"));
    browser.screenshot("widget-closed");

    launcher.click();
    WebElement frame = root.findElement(By.cssSelector(".p iframe"));
    browser.waitFor(d -> frame.isDisplayed());
    browser.driver.switchTo().frame(frame);
    browser.waitFor(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    assertThat(browser.driver.findElement(By.id("title")).getText()).isEqualTo("Shop help");
    WebElement input = browser.driver.findElement(By.id("input"));
    input.sendKeys("Do you ship abroad?");
    input.sendKeys(Keys.ENTER);
    browser.waitFor(d -> d.findElements(By.cssSelector("#log .msg.assistant .feedback")).size() == 1);
    assertThat(browser.driver.findElement(By.cssSelector("#log .msg.assistant:not(.greeting) .bubble")).getText())
        .isEqualTo("Echo: Do you ship abroad?");
    browser.driver.switchTo().defaultContent();
    browser.waitFor(d -> ((List<?>) browser.js("return window.events;")).contains("message"));
    assertThat(hostStyles()).isEqualTo(before);
    browser.screenshot("widget-open");

    browser.js("Parley.close();");
    assertThat(frame.isDisplayed()).isFalse();
    browser.js("Parley.toggle();");
    assertThat(frame.isDisplayed()).isTrue();
    @SuppressWarnings("unchecked")
    List<Object> events = (List<Object>) browser.js("return window.events;");
    assertThat(events).containsSubsequence("open", "message", "close", "open");
    assertThat(browser.dialogs()).isZero();
  }

  @Test
  void widget_fills_a_phone_screen() {
    browser.size(390, 844);
    browser.open(hostOrigin + "/host.html?bot=" + allowed.getString("id"));
    SearchContext root = widgetRoot();
    browser.waitFor(d -> root.findElement(By.cssSelector("button.l")).getDomAttribute("aria-label").contains("Shop help"));
    browser.js("Parley.open();");
    WebElement panel = root.findElement(By.cssSelector(".p"));
    browser.waitFor(d -> panel.isDisplayed());
    assertThat(panel.getRect().getWidth()).isEqualTo(((Number) browser.js("return window.innerWidth;")).intValue());
    browser.driver.switchTo().frame(root.findElement(By.cssSelector(".p iframe")));
    browser.waitFor(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    browser.driver.findElement(By.id("close")).click();
    browser.driver.switchTo().defaultContent();
    browser.waitFor(d -> !panel.isDisplayed());
    browser.screenshot("widget-phone");
    browser.size(1280, 900);
  }

  @Test
  void frame_ancestors_blocks_a_site_that_is_not_allowed() {
    browser.open(hostOrigin + "/frame.html?bot=" + elsewhere.getString("id"));
    WebElement frame = browser.driver.findElement(By.id("chat"));
    browser.driver.switchTo().frame(frame);
    assertThat(browser.driver.findElements(By.id("composer"))).isEmpty();
    browser.driver.switchTo().defaultContent();
    browser.screenshot("frame-blocked");

    browser.open(hostOrigin + "/frame.html?bot=" + allowed.getString("id"));
    browser.driver.switchTo().frame(browser.driver.findElement(By.id("chat")));
    browser.waitFor(d -> !d.findElements(By.id("composer")).isEmpty());
    browser.driver.switchTo().defaultContent();
  }

  @Test
  void the_widget_rejects_a_hostile_bot_id() {
    browser.open(hostOrigin + "/host.html?bot=" + "%22%3E%3Cscript%3Ealert(1)%3C/script%3E");
    browser.hookDialogs();
    browser.waitFor(d -> "complete".equals(browser.js("return document.readyState;")));
    assertThat(browser.driver.findElements(By.cssSelector("[data-parley]"))).isEmpty();
    assertThat(browser.dialogs()).isZero();
  }
}
