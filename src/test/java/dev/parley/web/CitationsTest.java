package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A bot's {@code widget.citations} in the real chat page, against a real knowledge base (the
 * embedding model, Lucene): one document added as text, one from a web page on loopback. Sources
 * show not at all, as titles only, or as titles with snippets and links; the admin form sets the mode.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CitationsTest {

  static final String TEXT_NAME = "<img src=x onerror=alert(1)>Opening hours";
  static final String HOURS = "The umbrella shop opens at nine in the morning and closes at six";
  static final String RETURNS = "Umbrellas can be returned within thirty days with the receipt";
  static final String REFUNDS = "Refunds for a returned umbrella reach the card within five days";
  static final String QUESTION = "When does the umbrella shop open, and can I return an umbrella?";

  static Browser browser;
  static HttpServer site;
  static String pageUrl;
  static String botId;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireInstalled();
    browser = Browser.start(new JsonObject().put("rag", new JsonObject()
        .put("preload_model", true).put("allow_private_urls", true).put("allowed_url_ports", new JsonArray())));
    site = Await.result(browser.vertx.createHttpServer().requestHandler(request -> request.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .end("<!doctype html><html><head><title>Returns policy</title></head><body><h2>Returns</h2><p>"
            + RETURNS + ".</p><h2>Refunds</h2><p>" + REFUNDS + ".</p></body></html>")).listen(0, "127.0.0.1"));
    pageUrl = "http://127.0.0.1:" + site.actualPort() + "/returns.html";
    botId = browser.createBot(new JsonObject().put("name", "Umbrella shop").put("api_key", "sk-test-0123456789abcdef")
        .put("rag", new JsonObject().put("enabled", true).put("top_k", 4).put("min_score", 0))
        .put("widget", new JsonObject().put("citations", "snippets"))).getString("id");
    add(new JsonObject().put("name", TEXT_NAME).put("text", HOURS + ", Monday to Saturday."));
    add(new JsonObject().put("url", pageUrl));
    // The first ingestion waits for the embedding model.
    new WebDriverWait(browser.driver, Duration.ofSeconds(60)).until(d -> {
      JsonArray docs = documents();
      return docs.size() == 2 && docs.stream().allMatch(doc -> "ready".equals(((JsonObject) doc).getString("status")));
    });
    browser.open("/chat/" + botId);
    browser.js("localStorage.clear();");
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  @AfterEach
  void no_dialog_ever_opened() {
    assertThat(browser.dialogs()).isZero();
  }

  private static void add(JsonObject document) {
    int status = Await.result(browser.app.admin(HttpMethod.POST, "/api/bots/" + botId + "/documents")
        .sendJsonObject(document)).statusCode();
    assertThat(status).isEqualTo(202);
  }

  private static JsonArray documents() {
    return Await.result(browser.app.admin(HttpMethod.GET, "/api/bots/" + botId + "/documents").send())
        .bodyAsJsonObject().getJsonArray("documents");
  }

  private static void citations(String mode) {
    JsonObject saved = Await.result(browser.app.admin(HttpMethod.PUT, "/api/bots/" + botId)
        .sendJsonObject(new JsonObject().put("widget", new JsonObject().put("citations", mode)))).bodyAsJsonObject();
    assertThat(saved.getJsonObject("widget").getString("citations")).isEqualTo(mode);
  }

  private static void openChat() {
    browser.open("/chat/" + botId);
    browser.hookDialogs();
    browser.waitFor(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
  }

  private static List<WebElement> answers() {
    return browser.driver.findElements(By.cssSelector("#log .msg.assistant:not(.greeting)"));
  }

  private static WebElement ask(String question) {
    int before = answers().size();
    WebElement input = browser.driver.findElement(By.id("input"));
    input.sendKeys(question);
    input.sendKeys(Keys.ENTER);
    browser.waitFor(d -> answers().size() == before + 1
        && answers().get(before).findElements(By.cssSelector(".feedback")).size() == 1);
    return answers().get(before);
  }

  @Test
  @Order(1)
  void snippets_show_each_passage_with_its_text_and_a_link_to_its_web_page() {
    openChat();
    WebElement answer = ask(QUESTION);
    // Three passages: the text document's one and the web page's two sections.
    List<WebElement> items = answer.findElements(By.cssSelector(".sources li"));
    assertThat(items).hasSize(3);
    List<WebElement> linked = items.stream().filter(i -> i.getText().contains("Returns policy")).toList();
    WebElement plain = items.stream().filter(i -> i.getText().contains("Opening hours")).findFirst().orElseThrow();

    assertThat(linked).hasSize(2);
    for (WebElement item : linked) {
      WebElement link = item.findElement(By.cssSelector("a.source-title"));
      assertThat(link.getText()).isEqualTo("Returns policy");
      assertThat(link.getDomProperty("href")).isEqualTo(pageUrl);
      assertThat(link.getDomAttribute("target")).isEqualTo("_blank");
      assertThat(link.getDomAttribute("rel")).contains("noopener");
    }
    assertThat(linked).extracting(i -> i.findElement(By.cssSelector(".source-heading")).getText())
        .containsExactlyInAnyOrder("· Returns policy › Returns", "· Returns policy › Refunds");
    assertThat(linked).extracting(i -> i.findElement(By.cssSelector(".snippet")).getText())
        .anySatisfy(text -> assertThat(text).contains(RETURNS))
        .anySatisfy(text -> assertThat(text).contains(REFUNDS));

    // A document added as text has no page to link to; its name stays text, payload and all.
    assertThat(plain.findElements(By.tagName("a"))).isEmpty();
    assertThat(plain.findElement(By.cssSelector(".source-title")).getText()).isEqualTo(TEXT_NAME);
    assertThat(plain.findElement(By.cssSelector(".snippet")).getText()).contains(HOURS);
    assertThat(answer.findElements(By.cssSelector(".sources img"))).isEmpty();
    browser.screenshot("chat-citations-snippets");

    // The stored turn keeps the link for the restored page, and only the web page's document has one.
    String session = (String) browser.js("return localStorage.getItem(arguments[0]);", "parley:session:" + botId);
    JsonArray sources = Await.result(browser.app.client.get("/api/chat/" + botId + "/session/" + session).send())
        .bodyAsJsonObject().getJsonArray("messages").getJsonObject(1).getJsonArray("sources");
    assertThat(sources.stream().map(s -> ((JsonObject) s).getString("url")))
        .containsExactlyInAnyOrder(pageUrl, pageUrl, null);
  }

  @Test
  @Order(2)
  void titles_show_each_document_once_without_text_or_links() {
    citations("titles");
    openChat();
    // The answer of the first test, restored from the session, now drawn with titles only: each document once.
    WebElement answer = browser.waitFor(d -> answers().size() == 1 ? answers().get(0) : null);
    List<WebElement> titles = answer.findElements(By.cssSelector(".sources li"));
    assertThat(titles).extracting(WebElement::getText).containsExactlyInAnyOrder("Returns policy", TEXT_NAME);
    WebElement sources = answer.findElement(By.cssSelector(".sources"));
    assertThat(sources.findElements(By.cssSelector("a, .snippet, img"))).isEmpty();
    assertThat(sources.getText()).doesNotContain(RETURNS, REFUNDS, HOURS);
    browser.screenshot("chat-citations-titles");
  }

  @Test
  @Order(3)
  void none_shows_no_sources_for_restored_or_new_answers() {
    citations("none");
    openChat();
    browser.waitFor(d -> answers().size() == 1);
    WebElement answer = ask("Can I return an umbrella without the receipt?");
    assertThat(answer.getText()).contains("Echo: Can I return an umbrella without the receipt?");
    assertThat(browser.driver.findElements(By.cssSelector("#log .sources"))).isEmpty();
    assertThat(browser.driver.findElement(By.id("log")).getText()).doesNotContain("Sources", "Returns policy");
  }

  @Test
  @Order(4)
  void the_admin_form_sets_the_citation_mode() {
    browser.useAdminToken();
    browser.open("/admin/#/bots/" + botId);
    browser.hookDialogs();
    Select mode = new Select(browser.waitFor(d -> d.findElement(By.cssSelector("[data-field='widget.citations']"))));
    assertThat(mode.getFirstSelectedOption().getDomProperty("value")).isEqualTo("none");
    mode.selectByValue("snippets");
    browser.driver.findElement(By.id("save")).click();
    browser.waitFor(d -> {
      JsonObject bot = Await.result(browser.app.admin(HttpMethod.GET, "/api/bots/" + botId).send()).bodyAsJsonObject();
      return "snippets".equals(bot.getJsonObject("widget").getString("citations"));
    });

    browser.driver.navigate().refresh();
    Select reloaded = new Select(browser.waitFor(d -> d.findElement(By.cssSelector("[data-field='widget.citations']"))));
    browser.waitFor(d -> "snippets".equals(reloaded.getFirstSelectedOption().getDomProperty("value")));
    assertThat(reloaded.getOptions()).extracting(o -> o.getDomProperty("value")).containsExactly("titles", "snippets", "none");

    // The chat page follows the saved mode: the earlier answers show their snippets and links again.
    openChat();
    browser.waitFor(d -> !d.findElements(By.cssSelector("#log .sources .snippet")).isEmpty());
    assertThat(browser.driver.findElements(By.cssSelector("#log .sources a.source-title")))
        .allSatisfy(a -> assertThat(a.getDomProperty("href")).isEqualTo(pageUrl));
  }
}
