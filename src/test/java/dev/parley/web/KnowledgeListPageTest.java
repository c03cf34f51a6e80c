package dev.parley.web;

import static dev.parley.testing.Knowledge.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.Fault;
import dev.parley.testing.Await;
import dev.parley.testing.Knowledge;
import dev.parley.testing.Operators;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The document list of the Knowledge tab in a real browser, for a bot with more documents than one page: newest first
 * a page at a time, the status filter and the search box, and polling that asks only for what changed. Embeddings come
 * from the fake OpenAI server, so that ingestion is quick and a test can hold a document back while it watches it.
 * One bot through the class: 150 pages and a PDF that fails, then what the tests add.
 */
@Timeout(60)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KnowledgeListPageTest {

  static Browser browser;
  static String botId;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireInstalled();
    browser = Browser.start(new JsonObject().put("rag", new JsonObject()
        .put("embeddings", new JsonObject().put("provider", "openai").put("api_key", "sk-test-embeddings"))));
    botId = browser.createBot(new JsonObject().put("name", "Big site")).getString("id");
    // Two uploads (at most 100 files each): the second one's 51 pages are the newest documents.
    upload(IntStream.rangeClosed(1, 99), Map.of("broken.pdf", utf8("%PDF-1.4 garbage")));
    upload(IntStream.rangeClosed(100, 150), Map.of());
    Await.result(Knowledge.until(browser.app, botId, docs -> Knowledge.settled(docs, 151)));
    browser.useAdminToken();
  }

  private static void upload(IntStream pages, Map<String, byte[]> more) {
    Map<String, byte[]> files = new LinkedHashMap<>(more);
    pages.forEach(i -> files.put(page(i), utf8("Page " + i + " of the site tells about topic " + i + ".")));
    assertThat(Await.result(Knowledge.uploadAll(browser.app, botId, files)).statusCode()).isEqualTo(202);
  }

  private static String page(int i) {
    return String.format("page-%03d.txt", i);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  /** The tab loaded afresh (a new page, so no filter or hook of a test before), once its first page is shown. */
  private static void openTab(int rows) {
    browser.open("/admin/#/bots/" + botId + "/knowledge");
    browser.driver.navigate().refresh();
    browser.hookDialogs();
    browser.waitFor(d -> names().size() == rows);
  }

  private static WebElement byId(String id) {
    return browser.waitFor(d -> d.findElement(By.id(id)));
  }

  private static String text(String id) {
    return byId(id).getText();
  }

  @SuppressWarnings("unchecked")
  private static List<String> names() {
    return (List<String>) browser.js("return Array.from(document.querySelectorAll('#documents tbody tr'),"
        + " (r) => r.querySelector('.doc-name').textContent);");
  }

  @SuppressWarnings("unchecked")
  private static List<String> rowIds() {
    return (List<String>) browser.js("return Array.from(document.querySelectorAll('#documents tbody tr'),"
        + " (r) => r.dataset.docId);");
  }

  /** The row of the document named name, once it is shown. */
  private static WebElement row(String name) {
    return browser.waitFor(d -> (WebElement) browser.js("return Array.from(document.querySelectorAll('#documents tbody tr'))"
        + ".find((r) => r.querySelector('.doc-name').textContent === arguments[0]) || null;", name));
  }

  /** Waits, without looking the row up again (a row drawn anew fails with a stale element), until it shows status. */
  private static void becomes(WebElement row, String status) {
    new WebDriverWait(browser.driver, Duration.ofSeconds(20)).until(d -> status.equals(row.getDomAttribute("data-status")));
  }

  private static void filter(String status) {
    new Select(byId("documents-status")).selectByVisibleText(status);
  }

  private static void addText(String title) {
    byId("kb-text-name").sendKeys(title);
    byId("kb-text-body").sendKeys("# " + title + "\n\nWhat " + title + " says.");
    browser.driver.findElement(By.cssSelector("#kb-text-form button[type=submit]")).click();
  }

  /** Types text key by key, a little apart, as a person would: slower than the browser sends keys, quicker than a pause. */
  private static void typeAsAPerson(String id, String text) throws InterruptedException {
    WebElement field = byId(id);
    for (char c : text.toCharArray()) {
      field.sendKeys(String.valueOf(c));
      Thread.sleep(60);
    }
  }

  /** From now on, the page records the query of each document list it reads (see {@link #listQueries}). */
  private static void recordListQueries() {
    browser.js("window.__lists = []; var f = window.fetch; window.fetch = function (u, i) {"
        + " if ((!i || !i.method || i.method === 'GET') && /\\/documents\\?/.test(String(u))) {"
        + " window.__lists.push(String(u)); }"
        + " return f.call(window, u, i); };");
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, String>> listQueries() {
    return (List<Map<String, String>>) browser.js("return window.__lists.map((u) =>"
        + " Object.fromEntries(new URL(u, location.href).searchParams));");
  }

  private static List<String> newestFirstFromApi() {
    JsonArray docs = Await.result(browser.app.admin(HttpMethod.GET, "/api/bots/" + botId + "/documents?order=newest").send())
        .bodyAsJsonObject().getJsonArray("documents");
    return docs.stream().map(JsonObject.class::cast).map(d -> d.getString("id")).toList();
  }

  @Test
  @Order(1)
  void a_bot_with_more_than_a_page_shows_the_newest_hundred_and_show_more_appends_the_rest_then_goes() {
    openTab(100);
    List<String> newest = newestFirstFromApi();
    assertThat(rowIds()).containsExactlyElementsOf(newest.subList(0, 100));
    assertThat(names().subList(0, 51)).containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(100, 150)
        .mapToObj(KnowledgeListPageTest::page).toList());
    assertThat(text("documents-shown")).isEqualTo("Showing 100 of 151");
    assertThat(text("documents-summary")).isEqualTo("151 documents: 150 ready, 1 failed");

    browser.js("document.getElementById('documents-summary').scrollIntoView();");
    browser.screenshot("admin-knowledge-list");
    byId("documents-more").click();
    browser.waitFor(d -> names().size() == 151);
    assertThat(rowIds()).containsExactlyElementsOf(newest);
    assertThat(byId("documents-more").isDisplayed()).isFalse();
    assertThat(text("documents-shown")).isEqualTo("Showing 151 of 151");
    assertThat(byId("documents-empty").isDisplayed()).isFalse();
  }

  @Test
  @Order(2)
  void the_status_filter_and_the_search_box_narrow_the_rows_and_say_when_none_match() throws Exception {
    openTab(100);
    recordListQueries();
    filter("Failed");
    browser.waitFor(d -> names().equals(List.of("broken.pdf")));
    assertThat(text("documents-shown")).isEqualTo("Showing 1 match");

    filter("Ready");
    typeAsAPerson("documents-search", "PAGE-07");
    browser.waitFor(d -> names().size() == 10);
    assertThat(names()).allMatch(name -> name.startsWith("page-07"));
    // typing is read once it pauses, not at every key
    assertThat(listQueries()).extracting(q -> q.get("q")).containsOnly(null, "PAGE-07");
    assertThat(listQueries().get(listQueries().size() - 1)).containsEntry("status", "ready").containsEntry("order", "newest")
        .containsEntry("limit", "100");

    byId("documents-search").sendKeys(" and more");
    browser.waitFor(d -> d.findElement(By.id("documents-none")).isDisplayed());
    assertThat(text("documents-none")).isEqualTo("No documents match.");
    assertThat(names()).isEmpty();
    assertThat(byId("documents-empty").isDisplayed()).isFalse();
    assertThat(text("documents-summary")).isEqualTo("151 documents: 150 ready, 1 failed");
  }

  @Test
  @Order(3)
  void while_a_document_ingests_the_page_polls_only_what_changed_and_its_row_turns_ready_in_place() {
    openTab(100);
    recordListQueries();
    browser.app.openai.enqueueEmbeddings(Fault.delay(3_000));
    addText("Slow page");

    WebElement slow = row("Slow page");
    assertThat(slow.getDomAttribute("data-status")).isIn("pending", "processing");
    assertThat(names().get(0)).isEqualTo("Slow page");
    assertThat(text("documents-summary")).contains("1 in progress");
    WebElement delete = slow.findElement(By.cssSelector("button.delete"));
    browser.js("arguments[0].focus();", delete);

    becomes(slow, "ready");
    assertThat(browser.js("return document.activeElement === arguments[0];", delete)).isEqualTo(true);
    assertThat(byId("kb-live").getDomProperty("textContent")).isEqualTo("Slow page: Ready");
    browser.waitFor(d -> text("documents-summary").equals("152 documents: 151 ready, 1 failed"));
    List<Map<String, String>> polls = listQueries();
    assertThat(polls).hasSizeGreaterThan(2).allSatisfy(q -> assertThat(q).containsKey("updated_since")
        .containsEntry("order", "newest").containsEntry("limit", "1000").doesNotContainKeys("status", "q", "cursor"));
    assertThat(names()).hasSize(101);
    assertThat(browser.dialogs()).isZero();
  }

  @Test
  @Order(4)
  void a_document_added_under_the_in_progress_filter_shows_at_the_top_and_stays_there_once_ready() {
    openTab(100);
    filter("In progress");
    browser.waitFor(d -> d.findElement(By.id("documents-none")).isDisplayed());
    browser.app.openai.enqueueEmbeddings(Fault.delay(2_000));
    addText("Queued page");

    WebElement queued = row("Queued page");
    assertThat(queued.getDomAttribute("data-status")).isIn("pending", "processing");
    becomes(queued, "ready");
    assertThat(names()).containsExactly("Queued page");
    assertThat(byId("documents-none").isDisplayed()).isFalse();
  }

  @Test
  @Order(5)
  void a_document_added_under_the_failed_filter_stays_out_of_the_rows_while_the_summary_counts_it() {
    openTab(100);
    filter("Failed");
    browser.waitFor(d -> names().equals(List.of("broken.pdf")));
    addText("Fine page");
    browser.waitFor(d -> text("documents-summary").equals("154 documents: 153 ready, 1 failed"));
    assertThat(names()).containsExactly("broken.pdf");
  }

  @Test
  @Order(6)
  void a_delete_removes_the_row_and_the_counts_follow() {
    openTab(100);
    browser.js("window.confirm = function () { return true; };");
    assertThat(names().get(0)).isEqualTo("Fine page");
    row("Fine page").findElement(By.cssSelector("button.delete")).click();
    browser.waitFor(d -> !names().contains("Fine page"));
    browser.waitFor(d -> text("documents-summary").equals("153 documents: 152 ready, 1 failed"));
    assertThat(text("documents-shown")).isEqualTo("Showing 99 of 153");
  }

  @Test
  @Order(7)
  void a_document_deleted_elsewhere_loses_its_row_at_the_next_poll_with_nothing_in_progress() {
    openTab(100);
    recordListQueries();
    String gone = rowIds().get(1);
    String goneName = names().get(1);

    assertThat(Await.result(browser.app.admin(HttpMethod.DELETE, "/api/bots/" + botId + "/documents/" + gone).send())
        .statusCode()).isEqualTo(204);

    new WebDriverWait(browser.driver, Duration.ofSeconds(20)).until(d -> !names().contains(goneName));
    browser.waitFor(d -> text("documents-summary").equals("152 documents: 151 ready, 1 failed"));
    assertThat(text("documents-shown")).isEqualTo("Showing 99 of 152");
    assertThat(listQueries()).isNotEmpty().allSatisfy(q -> assertThat(q).containsKey("updated_since"));
  }

  @Test
  @Order(8)
  void with_nothing_in_progress_a_page_out_of_view_stops_asking_and_asks_at_once_when_looked_at_again()
      throws InterruptedException {
    openTab(100);
    browser.js("Object.defineProperty(document, 'hidden', {configurable: true, get: () => window.__hidden === true});"
        + " window.__hidden = true;");
    byId("documents-search").sendKeys("page-1");
    browser.waitFor(d -> names().size() == 51 && text("documents-shown").startsWith("Showing"));
    recordListQueries();

    Thread.sleep(11_000);

    assertThat(listQueries()).as("no poll of a page out of view, which would keep its session alive").isEmpty();
    browser.js("window.__hidden = false; document.dispatchEvent(new Event('visibilitychange'));");
    browser.waitFor(d -> !listQueries().isEmpty());
    assertThat(listQueries().get(0)).containsKey("updated_since");
  }

  @Test
  @Order(9)
  void a_viewer_sees_the_list_and_its_filters_but_no_buttons() {
    Operators people = new Operators(browser.app);
    String email = Operators.email("viewer");
    JsonObject created = people.invite(email, "viewer", new JsonArray().add(botId));
    assertThat(people.accept(Operators.inviteToken(created), Operators.PASSWORD).statusCode()).isEqualTo(200);
    browser.js("sessionStorage.clear();");
    browser.open("/admin/#/bots");
    browser.driver.navigate().refresh();
    byId("signin-email").sendKeys(email);
    byId("signin-password").sendKeys(Operators.PASSWORD);
    browser.driver.findElement(By.cssSelector("#signin-form button[type=submit]")).click();
    browser.waitFor(d -> d.findElement(By.id("who")).getText().contains("viewer"));

    openTab(100);
    assertThat(browser.driver.findElements(By.cssSelector("#documents button, #dropzone, #kb-text-form"))).isEmpty();
    assertThat(byId("documents-more").isDisplayed()).isTrue();
    filter("Failed");
    browser.waitFor(d -> names().equals(List.of("broken.pdf")));
    assertThat(row("broken.pdf").findElements(By.cssSelector("button.retry"))).isEmpty();
    filter("All");
    byId("documents-search").sendKeys("page-149");
    browser.waitFor(d -> names().equals(List.of("page-149.txt")));
  }
}
