package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.EvaluationRuns;
import dev.parley.testing.Knowledge;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The Evaluations and Knowledge gaps tabs of a bot in a real browser: a finished run in the table, the chart and
 * the run's questions; a gap group with its "Add an answer" link to the answers form.
 */
@Timeout(120)
class QualityPagesTest {

  static Browser browser;
  static String botId;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireInstalled();
    browser = Browser.start(new JsonObject().put("rag", new JsonObject().put("preload_model", true)));
    botId = browser.createBot(new JsonObject().put("name", "Outdoor shop").put("provider", "extractive")
        .put("rag", new JsonObject().put("enabled", true))).getString("id");
    JsonObject doc = Await.result(Knowledge.addText(browser.app, botId, "returns.md", "# Returns\n\n## Return window\n\n"
        + "You can return any item within 60 days of delivery for a full refund.\n"));
    assertThat(Await.result(Knowledge.settled(browser.app, botId, doc.getString("id"))).getString("status")).isEqualTo("ready");
    browser.useAdminToken();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  void a_finished_run_shows_in_the_table_the_chart_and_its_questions() {
    JsonArray questions = new JsonArray()
        .add(new JsonObject().put("question", "How long do I have to return an item?").put("expected_document", "returns.md")
            .put("expected_answer_contains", "60 days"))
        .add(new JsonObject().put("question", "Do you sell gift cards?").put("answerable", false));
    String evalId = Await.result(browser.app.admin(HttpMethod.POST, "/api/bots/" + botId + "/evaluations")
        .sendJson(questions)).bodyAsJsonObject().getString("eval_id");
    assertThat(EvaluationRuns.finished(browser.app, botId, evalId).getString("status")).isEqualTo("completed");

    browser.open("/admin/#/bots/" + botId + "/evaluations");
    WebElement run = browser.waitFor(d -> d.findElement(By.cssSelector("#evaluations tr.eval-run")));
    assertThat(run.findElement(By.className("status")).getText()).isEqualTo("completed");
    assertThat(run.findElement(By.className("recall-1")).getText()).isEqualTo("100.0 %");
    assertThat(browser.driver.findElements(By.cssSelector("#chart-recall rect"))).hasSize(1);

    run.findElement(By.tagName("a")).click();
    List<WebElement> rows = browser.waitFor(d -> {
      List<WebElement> found = d.findElements(By.cssSelector("#eval-results tr.eval-question"));
      return found.size() == 2 ? found : null;
    });
    assertThat(rows.get(0).findElement(By.className("rank")).getText()).isEqualTo("1");
    assertThat(rows.get(1).getText()).contains("unanswerable");
    assertThat(browser.driver.findElement(By.id("eval-status")).getText()).startsWith("completed");
  }

  @Test
  void a_gap_group_links_to_the_answers_form_with_its_question() {
    JsonObject reply = Await.result(browser.app.chat(botId, new JsonObject().put("message", "Do you sell gift cards?")))
        .bodyAsJsonObject();
    assertThat(reply.getString("session_id")).isNotBlank();
    browser.open("/admin/#/bots/" + botId + "/gaps");
    WebElement group = browser.waitFor(d -> d.findElement(By.cssSelector("#gaps li.gap")));
    assertThat(group.findElement(By.tagName("h3")).getText()).contains("Do you sell gift cards?").contains("×1");
    assertThat(group.findElement(By.className("meta")).getText()).contains("nothing found");
    assertThat(group.findElement(By.className("add-answer")).getDomAttribute("href"))
        .isEqualTo("#/bots/" + botId + "/answers?question=Do%20you%20sell%20gift%20cards%3F");
    assertThat(group.findElement(By.className("add-document")).getDomAttribute("href"))
        .isEqualTo("#/bots/" + botId + "/knowledge");
  }
}
