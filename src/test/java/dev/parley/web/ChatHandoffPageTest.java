package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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

/**
 * How the chat page draws people in the conversation, from events shaped as the visitor channel sends them:
 * the page's channel (EventSource) is a fake the test drives and the handoff routes answer as their contract
 * says (resources web/visitor-channel-stub.js), so the drawing is checked apart from the server. The whole
 * way through the server is HandoffBrowserTest.
 */
@Timeout(120)
class ChatHandoffPageTest {

  static Browser browser;
  static String botId;
  static String stub;

  @BeforeAll
  static void start() throws IOException {
    Browser.requireInstalled();
    browser = Browser.start();
    botId = browser.createBot(new JsonObject().put("name", "Desk").put("api_key", "sk-test-0123456789abcdef")
        .put("widget", new JsonObject().put("greeting", "Hi!"))).getString("id");
    try (InputStream in = ChatHandoffPageTest.class.getResourceAsStream("/web/visitor-channel-stub.js")) {
      stub = browser.stubOnEveryPage(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  @BeforeEach
  void fresh_chat() {
    browser.openFreshChat(botId);
  }

  @AfterEach
  void no_dialog_ever_opened() {
    assertThat(browser.dialogs()).isZero();
  }

  private WebElement byId(String id) {
    return browser.driver.findElement(By.id(id));
  }

  private List<String> lines() {
    return browser.driver.findElements(By.cssSelector("#log .state-line")).stream().map(WebElement::getText).toList();
  }

  /** An event on the page's newest channel; {@code id} its id line (a number, a cursor text, or null for none). */
  private void emit(String type, String json, Object id) {
    browser.js("window.__emit(arguments[0], JSON.parse(arguments[1]), arguments[2]);", type, json, id);
  }

  private long sources() {
    return (Long) browser.js("return window.__sources.length;");
  }

  @Test
  void a_visitor_asks_for_a_person_by_keyboard_and_sees_each_state_in_words_and_the_agent_by_name() {
    WebElement button = byId("handoff");
    assertThat(button.isDisplayed()).isTrue();
    assertThat(button.getText()).isEqualTo("Talk to a person");
    assertThat(byId("log").getDomAttribute("aria-live")).isEqualTo("polite");
    // keyboard only: Shift+Tab from the message box reaches the button, Enter presses it
    byId("input").click();
    byId("input").sendKeys(Keys.chord(Keys.SHIFT, Keys.TAB));
    assertThat(browser.js("return document.activeElement.id;")).isEqualTo("handoff");
    browser.driver.switchTo().activeElement().sendKeys(Keys.ENTER);
    browser.waitFor(d -> lines().contains("Waiting for a person…"));
    assertThat(button.isDisplayed()).isFalse();
    assertThat(byId("state").getText()).isEqualTo("Waiting for a person…");
    assertThat(byId("log").getText()).contains("Someone from the team will be with you shortly.");
    String session = (String) browser.js("return localStorage.getItem(arguments[0]);", "parley:session:" + botId);
    assertThat((String) browser.js("return window.__posts[0].url;")).endsWith("/api/chat/" + botId + "/session/" + session + "/handoff");
    assertThat((String) browser.js("return window.__sources[0].url;"))
        .endsWith("/api/chat/" + botId + "/session/" + session + "/events?after=0");

    // the channel says the same state again (nothing drawn twice), then an agent joins and writes
    emit("state", "{\"state\":\"waiting\"}", 1);
    emit("state", "{\"state\":\"human\",\"assignee_name\":\"Ann <b>Agent</b>\"}", 2);
    emit("message", "{\"id\":\"msg_a1\",\"role\":\"agent\",\"agent_name\":\"Ann <b>Agent</b>\",\"text\":\"Hello, I can help.\",\"at\":1}", 3);
    emit("message", "{\"id\":\"msg_a1\",\"role\":\"agent\",\"agent_name\":\"Ann <b>Agent</b>\",\"text\":\"Hello, I can help.\",\"at\":1}", 3);
    browser.waitFor(d -> d.findElements(By.cssSelector("#log .msg.agent")).size() == 1);
    WebElement agent = browser.driver.findElement(By.cssSelector("#log .msg.agent"));
    assertThat(agent.findElement(By.cssSelector(".who")).getText()).isEqualTo("Ann <b>Agent</b>");
    assertThat(agent.findElement(By.cssSelector(".bubble")).getText()).isEqualTo("Hello, I can help.");
    assertThat(agent.findElements(By.tagName("b"))).isEmpty();
    assertThat(lines()).containsExactly("Waiting for a person…", "Ann <b>Agent</b> joined");
    assertThat(byId("state").getText()).isEqualTo("You are talking with Ann <b>Agent</b>.");
    assertThat(byId("input").getDomAttribute("placeholder")).isEqualTo("Message Ann <b>Agent</b>…");
    browser.screenshot("chat-handoff-agent");

    // the connection drops: the page connects again from the last event it had, and skips what it saw
    browser.js("window.__sources[0].fail();");
    browser.waitFor(d -> sources() == 2);
    assertThat((String) browser.js("return window.__sources[1].url;")).endsWith("/events?after=3");
    assertThat((Boolean) browser.js("return window.__sources[0].closed;")).isTrue();
    emit("message", "{\"id\":\"msg_a1\",\"role\":\"agent\",\"agent_name\":\"Ann\",\"text\":\"Hello, I can help.\"}", 3);
    emit("state", "{\"state\":\"bot\"}", 4);
    browser.waitFor(d -> lines().size() == 3);
    assertThat(lines().get(2)).isEqualTo("Ann <b>Agent</b> left; the assistant is back");
    assertThat(browser.driver.findElements(By.cssSelector("#log .msg.agent"))).hasSize(1);
    assertThat(byId("handoff").isDisplayed()).isTrue();
    assertThat(byId("state").isDisplayed()).isFalse();
    assertThat((String) browser.js("return localStorage.getItem(arguments[0]);", "parley:events:" + botId))
        .contains("\"after\":4", "\"state\":\"bot\"");

    // a reload listens again from where the page stopped
    browser.driver.navigate().refresh();
    browser.waitFor(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    browser.hookDialogs();
    browser.waitFor(d -> sources() == 1);
    assertThat((String) browser.js("return window.__sources[0].url;")).endsWith("/events?after=4");
  }

  @Test
  void with_nobody_online_the_visitor_gets_the_offline_message_and_leaves_an_address() {
    browser.js("window.__handoffReply = {state: 'waiting', offline: true, message: 'Nobody is here right now.'};");
    byId("handoff").click();
    browser.waitFor(d -> byId("follow-up").isDisplayed());
    assertThat(browser.driver.findElement(By.cssSelector("#log .msg.offline")).getText()).isEqualTo("Nobody is here right now.");
    assertThat(lines()).doesNotContain("Waiting for a person…");
    assertThat(browser.js("return document.activeElement.id;")).isEqualTo("fu-name");
    byId("fu-send").click();
    assertThat(byId("fu-error").getText()).isEqualTo("Enter your name.");
    byId("fu-name").sendKeys("Vera Visitor");
    byId("fu-email").sendKeys("not an address");
    byId("fu-send").click();
    assertThat(byId("fu-error").getText()).isEqualTo("Enter an e-mail address.");
    assertThat(browser.js("return document.activeElement.id;")).isEqualTo("fu-email");
    byId("fu-email").clear();
    byId("fu-email").sendKeys("vera@example.test");
    byId("fu-message").sendKeys("Please call me back about my order.");
    browser.screenshot("chat-handoff-offline-form");
    byId("fu-message").sendKeys(Keys.TAB, Keys.ENTER);
    browser.waitFor(d -> !byId("follow-up").isDisplayed());
    JsonObject sent = new JsonObject((String) browser.js("return window.__posts[1].body;"));
    assertThat(sent).isEqualTo(new JsonObject().put("name", "Vera Visitor").put("email", "vera@example.test")
        .put("message", "Please call me back about my order."));
    assertThat((String) browser.js("return window.__posts[1].url;")).endsWith("/follow-up");
    assertThat(byId("log").getText()).contains("Thank you! We will answer you at vera@example.test.");
    assertThat(byId("state").getText()).isEqualTo("We will answer by e-mail.");
  }

  @Test
  void an_answer_in_progress_on_the_channel_is_drawn_as_it_comes_and_once() {
    byId("handoff").click();
    browser.waitFor(d -> sources() == 1);
    emit("delta", "{\"message_id\":\"msg_b1\",\"text\":\"The answer so far\",\"offset\":0}", "0:msg_b1:17");
    emit("delta", "{\"message_id\":\"msg_b1\",\"text\":\", and the rest.\",\"offset\":17}", "0:msg_b1:32");
    browser.waitFor(d -> d.findElements(By.cssSelector("#log .msg.assistant:not(.greeting) .bubble")).stream()
        .anyMatch(b -> b.getText().equals("The answer so far, and the rest.")));
    // the connection drops: the page resumes inside the answer, and a piece it partly has adds only the rest
    browser.js("window.__sources[0].fail();");
    browser.waitFor(d -> sources() == 2);
    assertThat((String) browser.js("return window.__sources[1].url;")).endsWith("/events?after=0%3Amsg_b1%3A32");
    emit("delta", "{\"message_id\":\"msg_b1\",\"text\":\" rest. Done.\",\"offset\":26}", "0:msg_b1:38");
    emit("answer_done", "{\"message_id\":\"msg_b1\"}", "0");
    emit("delta", "{\"message_id\":\"msg_b1\",\"text\":\" Late.\",\"offset\":38}", "0:msg_b1:44");
    browser.waitFor(d -> d.findElements(By.cssSelector("#log .msg.assistant .feedback")).size() == 1);
    List<WebElement> answers = browser.driver.findElements(By.cssSelector("#log .msg.assistant:not(.greeting)"));
    assertThat(answers).hasSize(1);
    assertThat(answers.get(0).findElement(By.cssSelector(".bubble")).getText()).isEqualTo("The answer so far, and the rest. Done.");
  }
}
