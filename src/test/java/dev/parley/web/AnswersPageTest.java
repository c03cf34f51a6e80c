package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * "Correct this answer" in a real browser: under a bot message of the conversation log it opens the add-answer form
 * with the visitor's question filled in; once saved, the next visitor asking it in other words gets the stored answer
 * without a model call, and the Answers tab lists it and sets the bot's threshold.
 */
@Timeout(120)
class AnswersPageTest {

  static final String QUESTION = "How long do I have to return a tent?";
  static final String CORRECTED = "You can return a tent within 30 days of delivery.";

  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireInstalled();
    browser = Browser.start(new JsonObject().put("rag", new JsonObject().put("preload_model", true)));
    browser.useAdminToken();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  private static JsonObject chat(String botId, String message) {
    return Await.result(browser.app.chat(botId, new JsonObject().put("message", message))).bodyAsJsonObject();
  }

  private static JsonArray answers(String botId) {
    return Await.result(browser.app.admin(HttpMethod.GET, "/api/bots/" + botId + "/answers").send())
        .bodyAsJsonObject().getJsonArray("answers");
  }

  @Test
  void correcting_an_answer_from_the_conversation_log_answers_the_next_visitor_who_asks_it_in_other_words() {
    String botId = browser.createBot(new JsonObject().put("name", "Outdoor shop").put("provider", "openai")
        .put("api_key", "sk-test-stored-answers-0123456789")
        .put("rag", new JsonObject().put("enabled", false))).getString("id");
    browser.app.openai.answerWith("Tents come with a two-year warranty.");
    assertThat(chat(botId, QUESTION).getString("response")).isEqualTo("Tents come with a two-year warranty.");
    String conversationId = Await.result(browser.app.admin(HttpMethod.GET, "/api/bots/" + botId + "/conversations")
        .send()).bodyAsJsonObject().getJsonArray("conversations").getJsonObject(0).getString("id");

    browser.open("/admin/#/bots/" + botId + "/conversations/" + conversationId);
    browser.waitFor(d -> d.findElement(By.cssSelector("#transcript .msg.assistant button.correct-answer"))).click();
    WebElement question = browser.waitFor(d -> d.findElement(By.id("answer-question-new")));
    assertThat(question.getDomProperty("value")).isEqualTo(QUESTION);
    WebElement answer = browser.driver.findElement(By.id("answer-text-new"));
    answer.clear();
    answer.sendKeys(CORRECTED);
    browser.driver.findElement(By.cssSelector("#answer-form button[type=submit]")).click();
    new WebDriverWait(browser.driver, Duration.ofSeconds(30)).until(d -> answers(botId).size() == 1);
    assertThat(answers(botId).getJsonObject(0).getString("question")).isEqualTo(QUESTION);

    int calls = browser.app.openai.requests().size();
    JsonObject reply = chat(botId, "Until when can I return a tent?");
    assertThat(reply.getString("response")).isEqualTo(CORRECTED);
    assertThat(reply.getString("source")).isEqualTo("answer");
    assertThat(browser.app.openai.requests()).hasSize(calls);

    browser.open("/admin/#/bots/" + botId + "/answers");
    browser.waitFor(d -> d.findElement(By.cssSelector("#answers tr[data-answer-id]")).getText().contains(CORRECTED));
    WebElement threshold = browser.driver.findElement(By.id("answers-threshold"));
    threshold.clear();
    threshold.sendKeys("0.9");
    browser.driver.findElement(By.cssSelector("#answers-settings button[type=submit]")).click();
    new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> Await.result(browser.app.admin(HttpMethod.GET,
        "/api/bots/" + botId).send()).bodyAsJsonObject().getJsonObject("answers").getDouble("threshold") == 0.9);
  }
}
