package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The widget on a host page served from another origin (a second HTTP server on another port),
 * and the chat page's frame-ancestors policy.
 */
@Timeout(120)
class WidgetTest {

  static final String THEME = "{'--parley-color':'#15803d','--parley-radius':'3px','--parley-font':'Georgia, serif',"
      + "'--parley-bg':'url(https://attacker.test/x.png)','--other':'red','color':'red'}";
  static final String CSS = "#title{letter-spacing:3px} .powered{display:none}";
  static final String SPOOF_INIT = "{parley:true,type:'init',theme:{'--parley-color':'#ff0000'},"
      + "css:'body{background:rgb(255,0,0)!important} .top{display:none}'}";

  static Browser browser;
  static HttpServer host;
  static HttpServer foreign;
  static String hostOrigin;
  static String foreignOrigin;
  static JsonObject allowed;
  static JsonObject elsewhere;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireInstalled();
    browser = Browser.start();
    host = Await.result(browser.vertx.createHttpServer().requestHandler(request -> {
      String bot = request.getParam("bot");
      String body;
      if ("/themed.html".equals(request.path())) {
        body = "<!doctype html><html><head><title>Themed host</title><style>"
            + "body{font-family:Georgia,serif;background:rgb(250,240,230);margin:0} #own{color:rgb(0,128,0)}</style></head><body>"
            + "<h1>Themed host</h1><div id=own>The host's own text</div>"
            + "<iframe id=ad src=\"" + foreignOrigin + "/ad.html\" width=300 height=80></iframe>"
            + "<script>window.events=[];window.Parley={theme:" + THEME + ",css:'" + CSS + "'};</script>"
            + "<script src=\"" + browser.base + "/widget.js\" data-bot-id=\"" + bot + "\" async></script>"
            + "<script>var t=setInterval(function(){if(window.Parley&&window.Parley.on){clearInterval(t);"
            + "['open','close','message'].forEach(function(n){Parley.on(n,function(d){events.push(n);});});}},20);</script>"
            + "</body></html>";
      } else if ("/framed-ad.html".equals(request.path())) {
        body = "<!doctype html><title>Chat beside an ad</title>"
            + "<iframe id=chat src=\"" + browser.base + "/chat/" + bot + "?embed=1\" width=400 height=500></iframe>"
            + "<iframe id=ad src=\"" + foreignOrigin + "/ad.html\" width=300 height=80></iframe>"
            + "<script>function initChat(){document.getElementById('chat').contentWindow.postMessage("
            + "{parley:true,type:'init',theme:{'--parley-color':'#15803d'},css:null},'" + browser.base + "');}</script>";
      } else if ("/frame.html".equals(request.path())) {
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
    // Another site's frame on the host page (an ad, say): it can reach the chat frame and the host window.
    foreign = Await.result(browser.vertx.createHttpServer().requestHandler(request -> request.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .end("<!doctype html><title>Ad</title><p>An ad</p><script>"
            + "function spoof(){var n=0;for(var i=0;i<top.frames.length;i++){if(top.frames[i]!==window){"
            + "top.frames[i].postMessage(" + SPOOF_INIT + ",'*');n++;}}"
            + "top.postMessage({parley:true,type:'message',role:'assistant',text:'spoofed'},'*');"
            + "top.postMessage({parley:true,type:'close'},'*');return n;}</script>")).listen(0, "127.0.0.1"));
    foreignOrigin = "http://127.0.0.1:" + foreign.actualPort();
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

  /** Each test starts without a stored chat session (the chat frame keeps it in Parley's localStorage). */
  @BeforeEach
  void forget_the_chat_session() {
    browser.open(browser.base + "/chat/" + allowed.getString("id"));
    browser.js("localStorage.clear();");
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
    assertThat(browser.driver.findElement(By.cssSelector("#log .greeting")).getText()).contains("Welcome to the shop!");
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

  /** A computed style in the current document (inside the chat frame once switched to it). */
  private String computed(String selector, String property) {
    return (String) browser.js("return getComputedStyle(document.querySelector(arguments[0]))[arguments[1]];", selector, property);
  }

  private String token(String name) {
    return ((String) browser.js("return getComputedStyle(document.documentElement).getPropertyValue(arguments[0]);", name)).trim();
  }

  private void intoChatFrame(SearchContext root) {
    browser.driver.switchTo().defaultContent();
    browser.driver.switchTo().frame(root.findElement(By.cssSelector(".p iframe")));
  }

  @Test
  void host_theme_tokens_and_css_apply_in_the_frame_and_other_origins_are_ignored() {
    browser.size(1280, 900);
    browser.open(hostOrigin + "/themed.html?bot=" + allowed.getString("id"));
    browser.hookDialogs();
    SearchContext root = widgetRoot();
    WebElement launcher = root.findElement(By.cssSelector("button.l"));
    browser.waitFor(d -> launcher.getDomAttribute("aria-label").contains("Shop help"));
    String hostStyle = "var o=getComputedStyle(document.getElementById('own'));var b=getComputedStyle(document.body);"
        + "return [o.color,b.fontFamily,b.backgroundColor,b.letterSpacing,document.styleSheets.length,"
        + "document.documentElement.getAttribute('style'),getComputedStyle(document.documentElement).getPropertyValue('--parley-color')].join('|');";
    Object before = browser.js(hostStyle);
    // The host's colour token wins over the bot's colour, on the launcher as in the frame.
    assertThat(launcher.getCssValue("background-color")).isEqualTo("rgba(21, 128, 61, 1)");

    browser.js("Parley.open();");
    intoChatFrame(root);
    browser.waitFor(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    browser.waitFor(d -> "rgb(21, 128, 61)".equals(computed(".top", "backgroundColor")));
    assertThat(computed("#send", "backgroundColor")).isEqualTo("rgb(21, 128, 61)");
    assertThat(computed(".greeting .bubble", "borderTopLeftRadius")).isEqualTo("3px");
    assertThat(computed("body", "fontFamily")).isEqualTo("Georgia, serif");
    assertThat(computed("#title", "letterSpacing")).isEqualTo("3px");
    assertThat(computed(".powered", "display")).isEqualTo("none");
    // Only --parley-* tokens with plain values pass: no url(), nothing else.
    assertThat(computed("body", "backgroundColor")).isEqualTo("rgb(249, 250, 251)");
    assertThat(token("--parley-bg")).isEqualTo("#f9fafb");
    assertThat(token("--other")).isEmpty();
    assertThat(computed("#title", "color")).isEqualTo("rgb(255, 255, 255)");
    browser.driver.switchTo().defaultContent();
    browser.screenshot("widget-themed");

    // The foreign frame posts a message and a close to the host page: the widget ignores both. (It cannot
    // reach the chat frame here: a frame inside a shadow root is not in window.frames; see the next test.)
    browser.driver.switchTo().frame(browser.driver.findElement(By.id("ad")));
    browser.js("spoof();");
    browser.driver.switchTo().defaultContent();
    browser.js("window.__seen = 0; addEventListener('message', function (e) { if (e.data && e.data.text === 'spoofed') __seen++; });");
    browser.driver.switchTo().frame(browser.driver.findElement(By.id("ad")));
    browser.js("spoof();");
    browser.driver.switchTo().defaultContent();
    browser.waitFor(d -> ((Number) browser.js("return window.__seen;")).intValue() == 1);
    assertThat(browser.js("return Parley.isOpen();")).isEqualTo(true);
    assertThat(browser.js("return window.events;")).isEqualTo(List.of("open"));
    assertThat(root.findElement(By.cssSelector(".b")).isDisplayed()).isFalse();

    // setTheme replaces the tokens and keeps the custom CSS when none is given; empty CSS removes it.
    browser.js("Parley.setTheme({'--parley-color': '#1d4ed8'});");
    assertThat(launcher.getCssValue("background-color")).isEqualTo("rgba(29, 78, 216, 1)");
    intoChatFrame(root);
    browser.waitFor(d -> "rgb(29, 78, 216)".equals(computed(".top", "backgroundColor")));
    assertThat(computed(".greeting .bubble", "borderTopLeftRadius")).isEqualTo("14px");
    assertThat(computed("#title", "letterSpacing")).isEqualTo("3px");
    browser.driver.switchTo().defaultContent();
    browser.js("Parley.setTheme(null, '');");
    assertThat(launcher.getCssValue("background-color")).isEqualTo("rgba(190, 18, 60, 1)");
    intoChatFrame(root);
    browser.waitFor(d -> "rgb(190, 18, 60)".equals(computed(".top", "backgroundColor")));
    assertThat(computed("#title", "letterSpacing")).isEqualTo("normal");
    assertThat(computed(".powered", "display")).isEqualTo("block");
    browser.driver.switchTo().defaultContent();

    assertThat(browser.js(hostStyle)).isEqualTo(before);
    assertThat(browser.dialogs()).isZero();
  }

  @Test
  void the_chat_frame_takes_its_theme_only_from_the_page_that_embeds_it() {
    browser.open(hostOrigin + "/framed-ad.html?bot=" + allowed.getString("id"));
    browser.driver.switchTo().frame(browser.driver.findElement(By.id("chat")));
    browser.waitFor(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    browser.js("window.__origins = []; addEventListener('message', function (e) { __origins.push(e.origin); });");
    String botColour = "rgb(190, 18, 60)";
    assertThat(computed(".top", "backgroundColor")).isEqualTo(botColour);

    // Another site's frame on the same page posts a theme and CSS first: they arrive and are ignored.
    browser.driver.switchTo().defaultContent();
    browser.driver.switchTo().frame(browser.driver.findElement(By.id("ad")));
    assertThat(browser.js("return spoof();")).isEqualTo(1L);
    browser.driver.switchTo().defaultContent();
    browser.driver.switchTo().frame(browser.driver.findElement(By.id("chat")));
    browser.waitFor(d -> ((List<?>) browser.js("return window.__origins;")).contains(foreignOrigin));
    assertThat(computed(".top", "backgroundColor")).isEqualTo(botColour);
    assertThat(computed(".top", "display")).isEqualTo("flex");
    assertThat(computed("body", "backgroundColor")).isEqualTo("rgb(249, 250, 251)");

    // The embedding page's own init applies; a later one from the other site still does not.
    browser.driver.switchTo().defaultContent();
    browser.js("initChat();");
    browser.driver.switchTo().frame(browser.driver.findElement(By.id("chat")));
    browser.waitFor(d -> "rgb(21, 128, 61)".equals(computed(".top", "backgroundColor")));
    browser.driver.switchTo().defaultContent();
    browser.driver.switchTo().frame(browser.driver.findElement(By.id("ad")));
    browser.js("spoof();");
    browser.driver.switchTo().defaultContent();
    browser.driver.switchTo().frame(browser.driver.findElement(By.id("chat")));
    browser.waitFor(d -> ((List<?>) browser.js("return window.__origins;")).stream().filter(foreignOrigin::equals).count() == 2);
    assertThat(computed(".top", "backgroundColor")).isEqualTo("rgb(21, 128, 61)");
    assertThat(computed("body", "backgroundColor")).isEqualTo("rgb(249, 250, 251)");
    browser.driver.switchTo().defaultContent();
  }

  @Test
  void unread_badge_counts_answers_that_arrive_while_the_panel_is_closed() {
    browser.size(1280, 900);
    browser.open(hostOrigin + "/host.html?bot=" + allowed.getString("id"));
    SearchContext root = widgetRoot();
    WebElement launcher = root.findElement(By.cssSelector("button.l"));
    WebElement badge = root.findElement(By.cssSelector(".b"));
    // The greeting counts as one unread message until the panel is opened.
    browser.waitFor(d -> launcher.getDomAttribute("aria-label").equals("Open chat: Shop help (1 unread)"));
    assertThat(badge.getText()).isEqualTo("1");
    launcher.click();
    assertThat(badge.isDisplayed()).isFalse();
    intoChatFrame(root);
    browser.waitFor(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    browser.driver.switchTo().defaultContent();
    browser.js("Parley.close();");
    // Two questions sent from the hidden panel (as a visitor's would be that closed it before the answer came).
    for (String question : List.of("Do you ship to Portugal?", "And to Norway?")) {
      intoChatFrame(root);
      int before = browser.driver.findElements(By.cssSelector("#log .msg.assistant .feedback")).size();
      browser.js("document.getElementById('input').value = arguments[0]; document.getElementById('composer').requestSubmit();",
          question);
      browser.waitFor(d -> d.findElements(By.cssSelector("#log .msg.assistant .feedback")).size() == before + 1);
      browser.driver.switchTo().defaultContent();
    }
    browser.waitFor(d -> "2".equals(badge.getText()));
    assertThat(badge.isDisplayed()).isTrue();
    assertThat(launcher.getDomAttribute("aria-label")).isEqualTo("Open chat: Shop help (2 unread)");
    assertThat(browser.js("return window.events.filter(function (e) { return e === 'message'; }).length;")).isEqualTo(2L);
    browser.screenshot("widget-unread");
    launcher.click();
    assertThat(badge.isDisplayed()).isFalse();
    assertThat(launcher.getDomAttribute("aria-label")).isEqualTo("Open chat: Shop help");
  }

  @Test
  void the_widget_works_by_keyboard() {
    browser.size(1280, 900);
    browser.open(hostOrigin + "/host.html?bot=" + allowed.getString("id"));
    SearchContext root = widgetRoot();
    WebElement launcher = root.findElement(By.cssSelector("button.l"));
    browser.waitFor(d -> launcher.getDomAttribute("aria-label").contains("Shop help"));
    // Tab from the host's own button reaches the launcher; Enter opens the panel and focus moves to the input.
    browser.driver.findElement(By.id("buy")).sendKeys(Keys.TAB);
    assertThat(browser.js("return document.activeElement.hasAttribute('data-parley') "
        + "&& document.activeElement.shadowRoot.activeElement.classList.contains('l');")).isEqualTo(true);
    new Actions(browser.driver).sendKeys(Keys.ENTER).perform();
    browser.waitFor(d -> "true".equals(launcher.getDomAttribute("aria-expanded")));
    intoChatFrame(root);
    try {
      browser.waitFor(d -> "input".equals(browser.js("return document.hasFocus() && document.activeElement.id;")));
    } catch (RuntimeException e) {
      throw new AssertionError("focus: " + browser.js("return [document.hasFocus(), document.activeElement && document.activeElement.id, document.body.dataset.ready].join('|');"), e);
    }
    new Actions(browser.driver).sendKeys("Typed without a mouse").sendKeys(Keys.ENTER).perform();
    browser.waitFor(d -> d.findElements(By.cssSelector("#log .msg.assistant .feedback")).size() == 1);
    assertThat(browser.driver.findElement(By.cssSelector("#log .msg.assistant:not(.greeting) .bubble")).getText())
        .isEqualTo("Echo: Typed without a mouse");
    // Escape in the chat closes the panel and gives the focus back to the launcher.
    new Actions(browser.driver).sendKeys(Keys.ESCAPE).perform();
    browser.driver.switchTo().defaultContent();
    browser.waitFor(d -> "false".equals(launcher.getDomAttribute("aria-expanded")));
    assertThat(browser.js("return document.activeElement.shadowRoot.activeElement === arguments[0];", launcher)).isEqualTo(true);
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
  void a_hostile_bot_title_stays_text_in_the_launcher_and_the_frame() {
    String title = "<img src=x onerror=alert(1)>\"><svg onload=alert(2)>";
    JsonObject hostile = browser.createBot(new JsonObject().put("name", "Hostile").put("api_key", "sk-test-0123456789abcdef")
        .put("allowed_origins", new JsonArray().add(hostOrigin)).put("widget", new JsonObject().put("title", title)));
    browser.open(hostOrigin + "/host.html?bot=" + hostile.getString("id"));
    browser.hookDialogs();
    SearchContext root = widgetRoot();
    WebElement launcher = root.findElement(By.cssSelector("button.l"));
    browser.waitFor(d -> launcher.getDomAttribute("aria-label").startsWith("Open chat: " + title));
    launcher.click();
    WebElement frame = root.findElement(By.cssSelector(".p iframe"));
    assertThat(frame.getDomAttribute("title")).isEqualTo(title);
    assertThat(root.findElements(By.cssSelector("img, svg:not(.l svg)"))).isEmpty();
    assertThat(browser.driver.findElements(By.cssSelector("img, svg"))).isEmpty();
    browser.driver.switchTo().frame(frame);
    browser.waitFor(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    assertThat(browser.driver.findElement(By.id("title")).getText()).isEqualTo(title);
    assertThat(browser.driver.findElements(By.cssSelector(".top img:not(#avatar), .top svg"))).isEmpty();
    browser.driver.switchTo().defaultContent();
    assertThat(browser.dialogs()).isZero();
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
