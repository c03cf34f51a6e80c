package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.Operators;
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
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * A person takes over a conversation, in two browsers on one Parley: a visitor in the widget on a shop's page
 * (another origin) asks for a person; an agent signed in to the admin sees it arrive in the Inbox, takes it
 * over and replies; the visitor sees the reply with the agent's name; the agent hands it back and the bot
 * answers the next question. Screenshots of each step in target/screenshots/handoff-*.png.
 */
@Timeout(180)
class HandoffBrowserTest {

  static Browser visitor;
  static Browser agent;
  static HttpServer shop;
  static String shopOrigin;
  static String botId;
  static String agentEmail;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireInstalled();
    visitor = Browser.start();
    agent = visitor.another();
    shop = Await.result(visitor.vertx.createHttpServer().requestHandler(request -> request.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .end("<!doctype html><html><head><title>Shop</title></head><body><h1>The shop</h1>"
            + "<script src=\"" + visitor.base + "/widget.js\" data-bot-id=\"" + request.getParam("bot") + "\" async></script>"
            + "</body></html>")).listen(0, "127.0.0.1"));
    shopOrigin = "http://127.0.0.1:" + shop.actualPort();
    botId = visitor.createBot(new JsonObject().put("name", "Shop helper").put("api_key", "sk-test-0123456789abcdef")
        .put("rag", new JsonObject().put("enabled", false))
        .put("allowed_origins", new JsonArray().add(shopOrigin))
        .put("widget", new JsonObject().put("title", "Shop help"))
        .put("handoff", new JsonObject().put("enabled", true)
            .put("message_waiting", "Someone from our team will be with you shortly."))).getString("id");
    Operators people = new Operators(visitor.app);
    agentEmail = Operators.email("agent");
    JsonObject invited = people.invite(agentEmail, "agent", new JsonArray().add(botId));
    assertThat(people.accept(Operators.inviteToken(invited), Operators.PASSWORD).statusCode()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    try {
      if (agent != null) {
        agent.close();
      }
    } finally {
      if (visitor != null) {
        visitor.close();
      }
    }
  }

  private static WebElement in(Browser b, String css) {
    return b.waitFor(d -> {
      List<WebElement> found = d.findElements(By.cssSelector(css));
      return found.isEmpty() ? null : found.get(0);
    });
  }

  private static boolean textOf(WebDriver d, String css, String text) {
    return d.findElements(By.cssSelector(css)).stream().anyMatch(e -> e.getText().contains(text));
  }

  private static void visitorSays(String text) {
    WebElement input = visitor.driver.findElement(By.id("input"));
    input.sendKeys(text);
    input.sendKeys(Keys.ENTER);
  }

  private static void signInAgent() {
    agent.open("/admin/#/login");
    agent.hookDialogs();
    in(agent, "#signin-email").sendKeys(agentEmail);
    in(agent, "#signin-password").sendKeys(Operators.PASSWORD);
    agent.driver.findElement(By.cssSelector("#signin-form button[type=submit]")).click();
    agent.waitFor(d -> d.findElement(By.id("who")).getText().contains("· agent"));
  }

  @Test
  void an_agent_takes_over_a_visitors_conversation_replies_and_hands_it_back_to_the_bot() {
    signInAgent();
    agent.open("/admin/#/inbox");
    agent.waitFor(d -> d.findElement(By.id("inbox-live")).getText().equals("Live"));

    visitor.openWidget(shopOrigin + "/shop.html?bot=" + botId, "Shop help");
    visitorSays("Do you ship abroad?");
    visitor.waitFor(d -> textOf(d, "#log .msg.assistant .bubble", "Echo: Do you ship abroad?"));
    WebElement handoff = visitor.driver.findElement(By.id("handoff"));
    assertThat(handoff.getText()).isEqualTo("Talk to a person");
    handoff.click();
    visitor.waitFor(d -> textOf(d, "#log .state-line", "Waiting for a person…"));
    assertThat(visitor.driver.findElement(By.id("log")).getText()).contains("Someone from our team will be with you shortly.");
    visitorSays("Is anyone there?");
    visitor.waitFor(d -> textOf(d, "#log .msg.user .bubble", "Is anyone there?"));
    visitor.driver.switchTo().defaultContent();
    visitor.screenshot("handoff-visitor-waiting");

    // the agent's Inbox shows it arrive, with the count in the title and the visitor's unread message
    agent.waitFor(d -> textOf(d, "#inbox-list li[data-state=waiting]", "Is anyone there?"));
    agent.waitFor(d -> d.getTitle().startsWith("(1) "));
    agent.waitFor(d -> textOf(d, "#inbox-list li[data-state=waiting] .unread", "1"));
    agent.screenshot("handoff-inbox-waiting");
    // the list is drawn anew as its counts arrive, and the conversation's buttons after each change: clicked by locator
    agent.click(By.cssSelector("#inbox-list li[data-state=waiting] a"));
    agent.waitFor(d -> textOf(d, "#inbox-transcript", "Is anyone there?"));
    assertThat(agent.driver.findElement(By.id("inbox-transcript")).getText())
        .contains("Visitor: Do you ship abroad?", "Bot: Echo: Do you ship abroad?");
    agent.click(By.id("take-over"));
    agent.waitFor(d -> "human".equals(d.findElement(By.id("conv-state")).getDomAttribute("data-state")));
    WebElement text = agent.driver.findElement(By.id("agent-text"));
    text.sendKeys("Hello, I am Test agent. Yes, we ship to 30 countries.");
    agent.driver.findElement(By.id("agent-send")).click();
    agent.waitFor(d -> textOf(d, "#inbox-transcript .msg.agent", "we ship to 30 countries"));
    text.sendKeys("Ships abroad often; offer express.");
    agent.driver.findElement(By.id("agent-note")).click();
    agent.waitFor(d -> textOf(d, "#inbox-transcript .msg.note", "offer express"));
    agent.screenshot("handoff-agent-conversation");

    // the visitor sees the agent join and reply, by name; never the note
    visitor.driver.switchTo().frame(visitor.driver.findElement(By.cssSelector("[data-parley]")).getShadowRoot()
        .findElement(By.cssSelector(".p iframe")));
    visitor.waitFor(d -> textOf(d, "#log .state-line", "Test agent joined"));
    visitor.waitFor(d -> textOf(d, "#log .msg.agent .bubble", "we ship to 30 countries"));
    assertThat(visitor.driver.findElement(By.cssSelector("#log .msg.agent .who")).getText()).isEqualTo("Test agent");
    assertThat(visitor.driver.findElement(By.id("state")).getText()).isEqualTo("You are talking with Test agent.");
    visitor.driver.switchTo().defaultContent();
    visitor.screenshot("handoff-visitor-agent-replied");
    visitor.driver.switchTo().frame(visitor.driver.findElement(By.cssSelector("[data-parley]")).getShadowRoot()
        .findElement(By.cssSelector(".p iframe")));

    // handed back: the bot answers the next question
    agent.click(By.id("release"));
    agent.waitFor(d -> "bot".equals(d.findElement(By.id("conv-state")).getDomAttribute("data-state")));
    visitor.waitFor(d -> textOf(d, "#log .state-line", "Test agent left; the assistant is back"));
    assertThat(visitor.driver.findElement(By.id("handoff")).isDisplayed()).isTrue();
    visitorSays("And to Canada?");
    visitor.waitFor(d -> textOf(d, "#log .msg.assistant .bubble", "Echo: And to Canada?"));
    assertThat(visitor.driver.findElement(By.id("log")).getText()).doesNotContain("offer express");
    visitor.driver.switchTo().defaultContent();
    visitor.screenshot("handoff-visitor-bot-again");
    agent.screenshot("handoff-agent-released");
    assertThat(visitor.dialogs() + agent.dialogs()).isZero();
  }
}
