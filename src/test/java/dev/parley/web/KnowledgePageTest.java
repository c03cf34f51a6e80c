package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.testing.Await;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Knowledge tab of the admin dashboard in a real browser, against the real ingestion (embedding
 * model, Lucene): uploads with a progress bar per file, statuses, failures with their reason,
 * delete, the add-text and add-URL forms, and the retrieval preview. One bot through the class.
 */
@Timeout(90)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KnowledgePageTest {

  static final String XSS_FILE = "<img src=x onerror=alert(1)>.txt";
  static final String PHRASE = "purple umbrellas are lent free of charge";

  static Browser browser;
  static String botId;

  @TempDir
  static Path files;

  @BeforeAll
  static void start() {
    Browser.requireInstalled();
    try {
      // The embedding model loads in the background while Chromium starts, not in the first test.
      browser = Browser.start(new JsonObject().put("rag", new JsonObject().put("preload_model", true)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    botId = browser.createBot(new JsonObject().put("name", "Help desk")).getString("id");
    browser.useAdminToken();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  /** Waits longer than Browser.waitFor: the first ingestion loads the embedding model. */
  private static <T> T slowly(Function<WebDriver, T> condition) {
    return new WebDriverWait(browser.driver, Duration.ofSeconds(30)).until(condition);
  }

  private static WebElement byId(String id) {
    return browser.waitFor(d -> d.findElement(By.id(id)));
  }

  private static Path file(String name, String text) throws Exception {
    return Files.writeString(files.resolve(name), text, StandardCharsets.UTF_8);
  }

  private static void openTab() {
    openTab(botId);
  }

  private static void openTab(String bot) {
    browser.open("/admin/#/bots/" + bot + "/knowledge");
    browser.hookDialogs();
    byId("dropzone");
  }

  /** The document row whose name is exactly {@code name}, or null (also while the list is being redrawn). */
  private static WebElement row(WebDriver d, String name) {
    try {
      for (WebElement r : d.findElements(By.cssSelector("#documents tbody tr"))) {
        if (name.equals(r.findElement(By.cssSelector(".doc-name")).getText())) {
          return r;
        }
      }
    } catch (StaleElementReferenceException redrawn) {
      return null;
    }
    return null;
  }

  private static WebElement rowWithStatus(String name, String status) {
    try {
      return slowly(d -> {
        WebElement r = row(d, name);
        return r != null && status.equals(r.getDomAttribute("data-status")) ? r : null;
      });
    } catch (TimeoutException e) {
      browser.screenshot("admin-knowledge-timeout");
      throw new AssertionError("'" + name + "' never became " + status + "; uploads: "
          + browser.js("var u = document.getElementById('uploads'); return u ? u.innerText : '';") + "; documents: "
          + browser.js("var t = document.getElementById('documents'); return t ? t.innerText : '';") + "; API: " + apiDocuments(), e);
    }
  }

  /** A new bot's Knowledge tab with {@code picked} chosen in its file picker; the bot's id. */
  private static String pickInNewBot(String name, List<Path> picked) {
    String bot = browser.createBot(new JsonObject().put("name", name)).getString("id");
    openTab(bot);
    byId("kb-files").sendKeys(String.join("\n", picked.stream().map(Path::toString).toList()));
    return bot;
  }

  /**
   * The files of each upload request the server added for {@code bot}, from the audit log (one entry per request,
   * written just after its response), once they list {@code files} files.
   */
  private static List<List<String>> uploadRequests(String bot, int files) {
    return slowly(d -> {
      JsonArray entries = Await.result(browser.app.admin(HttpMethod.GET,
          "/api/audit?action=document.create&limit=200&bot_id=" + bot).send()).bodyAsJsonObject().getJsonArray("entries");
      List<List<String>> requests = entries.stream().map(JsonObject.class::cast)
          .map(e -> e.getJsonObject("changes").getJsonArray("files").stream().map(JsonObject.class::cast)
              .map(f -> f.getString("name")).toList())
          .toList();
      return requests.stream().mapToInt(List::size).sum() == files ? requests : null;
    });
  }

  private static List<String> uploadStates(String state) {
    return browser.driver.findElements(By.cssSelector("#uploads li[data-state='" + state + "']")).stream()
        .map(li -> li.getDomAttribute("data-name")).toList();
  }

  /**
   * Waits until the uploads end with {@code added} done and listed and {@code refused} alone failed; the failed
   * upload's status text.
   */
  private static String uploadsEnd(List<String> added, String refused) {
    slowly(d -> uploadStates("done").size() + uploadStates("failed").size() == added.size() + 1);
    assertThat(uploadStates("done")).containsExactlyInAnyOrderElementsOf(added);
    assertThat(uploadStates("failed")).containsExactly(refused);
    for (String name : added) {
      slowly(d -> row(d, name));
    }
    return browser.driver.findElement(By.cssSelector("#uploads li[data-state='failed'] .upload-status")).getText();
  }

  private static JsonArray apiDocuments() {
    return Await.result(browser.app.admin(HttpMethod.GET, "/api/bots/" + botId + "/documents").send())
        .bodyAsJsonObject().getJsonArray("documents");
  }

  @Test
  @Order(1)
  void two_files_upload_with_a_progress_bar_each_and_become_ready() throws Exception {
    Path md = file("returns.md", "# Returns\n\nItems can be returned within 45 days with the receipt.\n\n"
        + "## Umbrellas\n\nOn rainy days " + PHRASE + " at the front desk of every store.\n");
    Path txt = file("hours.txt", "The helpdesk answers the phone from 8am to 6pm, Monday to Saturday.");
    openTab();
    byId("kb-files").sendKeys(md + "\n" + txt);

    List<WebElement> uploads = slowly(d -> {
      List<WebElement> done = d.findElements(By.cssSelector("#uploads li[data-state='done']"));
      return done.size() == 2 ? done : null;
    });
    for (WebElement upload : uploads) {
      WebElement bar = upload.findElement(By.tagName("progress"));
      assertThat(bar.getDomProperty("value")).isEqualTo("100");
      assertThat(upload.findElement(By.cssSelector(".upload-status")).getText()).startsWith("Uploaded");
    }
    assertThat(uploads).extracting(u -> u.getDomAttribute("data-name")).containsExactlyInAnyOrder("returns.md", "hours.txt");

    // Leaving the tab stops the polling even while ingestion may still be running.
    browser.js("window.__docCalls = 0; var f = window.fetch; window.fetch = function (u, i) {"
        + " if (String(u).indexOf('/documents') >= 0) { window.__docCalls++; } return f.call(window, u, i); };");
    browser.driver.findElement(By.cssSelector(".tabs a[href$='/" + botId + "']")).click();
    byId("bot-form");
    browser.js("window.__docCalls = 0;");
    Thread.sleep(1_500);
    assertThat(((Number) browser.js("return window.__docCalls;")).longValue()).isZero();

    browser.driver.findElement(By.cssSelector(".tabs a[href$='/knowledge']")).click();
    WebElement ready = rowWithStatus("returns.md", "ready");
    rowWithStatus("hours.txt", "ready");
    assertThat(ready.getText()).contains("Ready", "chunk");
    assertThat(byId("documents-summary").getText()).contains("2 documents", "2 ready");
    assertThat(apiDocuments()).hasSize(2);
    assertThat(browser.dialogs()).isZero();
  }

  @Test
  @Order(2)
  void retrieval_preview_ranks_the_passage_with_document_heading_and_score() {
    openTab();
    byId("kb-query").sendKeys("Can I borrow an umbrella when it rains?");
    WebElement minScore = byId("kb-min-score");
    minScore.clear();
    minScore.sendKeys("0");
    browser.driver.findElement(By.cssSelector("#kb-search button[type=submit]")).click();
    List<WebElement> results = browser.waitFor(d -> {
      List<WebElement> r = d.findElements(By.cssSelector("#kb-results .kb-result"));
      return r.isEmpty() ? null : r;
    });
    WebElement best = results.get(0);
    assertThat(best.findElement(By.cssSelector(".result-document")).getText()).isEqualTo("returns.md");
    assertThat(best.findElement(By.cssSelector(".result-heading")).getText()).contains("Umbrellas");
    assertThat(best.findElement(By.cssSelector(".snippet")).getText()).contains(PHRASE);
    assertThat(best.findElement(By.cssSelector(".score")).getText()).matches("score -?\\d\\.\\d{3}");
    browser.js("arguments[0].scrollIntoView({block: 'center'});", best);
    browser.screenshot("admin-knowledge");

    WebElement query = byId("kb-query");
    query.clear();
    browser.driver.findElement(By.cssSelector("#kb-search button[type=submit]")).click();
    assertThat(byId("kb-query-error").getText()).isEqualTo("Enter a query");
    assertThat(query.getDomAttribute("aria-invalid")).isEqualTo("true");
  }

  @Test
  @Order(3)
  void hostile_file_name_stays_text_and_an_empty_file_fails_with_its_reason_and_retry() throws Exception {
    Path xss = file(XSS_FILE, "Gift cards never expire and can be used online.");
    Path empty = file("empty.txt", "");
    openTab();
    // Client-side checks: a wrong type and a file over the limit never reach the server (dropped).
    browser.js("var dt = new DataTransfer();"
        + "dt.items.add(new File(['a,b'], 'table.csv', {type: 'text/csv'}));"
        + "dt.items.add(new File([new Uint8Array(21 * 1024 * 1024)], 'huge.pdf', {type: 'application/pdf'}));"
        + "var zone = document.getElementById('dropzone');"
        + "zone.dispatchEvent(new DragEvent('dragenter', {dataTransfer: dt, bubbles: true, cancelable: true}));"
        + "zone.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));");
    List<WebElement> rejected = browser.waitFor(d -> {
      List<WebElement> r = d.findElements(By.cssSelector("#uploads li[data-state='rejected']"));
      return r.size() == 2 ? r : null;
    });
    assertThat(rejected.get(0).getText()).contains("table.csv", "only txt, md, html, pdf and docx");
    assertThat(rejected.get(1).getText()).contains("huge.pdf", "over the upload limit");

    byId("kb-files").sendKeys(xss + "\n" + empty);
    // The server's multipart decoder (Netty) turns '=' in a file name into a space, so the stored
    // name is "<img src x onerror alert(1)>.txt": still markup if it were ever parsed as HTML.
    String stored = slowly(d -> apiDocuments().stream().map(JsonObject.class::cast).map(doc -> doc.getString("name"))
        .filter(n -> n.startsWith("<img")).findFirst().orElse(null));
    assertThat(stored).startsWith("<img src").contains("onerror").endsWith(">.txt");
    WebElement hostile = rowWithStatus(stored, "ready");
    assertThat(hostile.findElement(By.cssSelector(".doc-name")).getText()).isEqualTo(stored);
    assertThat(browser.driver.findElements(By.cssSelector("#documents img, #uploads img"))).isEmpty();
    assertThat(browser.driver.findElement(By.cssSelector("#uploads li[data-name='" + XSS_FILE.replace("'", "\\'") + "']"))
        .getText()).contains(XSS_FILE);

    WebElement failed = rowWithStatus("empty.txt", "failed");
    assertThat(failed.findElement(By.cssSelector(".doc-error")).getText()).contains("empty");
    assertThat(failed.findElement(By.cssSelector(".badge")).getText()).isEqualTo("Failed");
    browser.screenshot("admin-knowledge-failed");
    String updated = apiDocuments().stream().map(JsonObject.class::cast)
        .filter(d -> "empty.txt".equals(d.getString("name"))).findFirst().orElseThrow().getValue("updated_at").toString();
    failed.findElement(By.cssSelector("button.retry")).click();
    slowly(d -> apiDocuments().stream().map(JsonObject.class::cast)
        .anyMatch(doc -> "empty.txt".equals(doc.getString("name")) && "failed".equals(doc.getString("status"))
            && !String.valueOf(doc.getValue("updated_at")).equals(updated)));
    assertThat(rowWithStatus("empty.txt", "failed").findElement(By.cssSelector(".doc-error")).getText()).contains("empty");
    assertThat(browser.dialogs()).isZero();
  }

  @Test
  @Order(4)
  void delete_asks_first_and_removes_the_document() {
    openTab();
    browser.js("window.confirm = function () { return false; };");
    rowWithStatus("hours.txt", "ready").findElement(By.cssSelector("button.delete")).click();
    assertThat(row(browser.driver, "hours.txt")).isNotNull();
    browser.js("window.confirm = function () { return true; };");
    row(browser.driver, "hours.txt").findElement(By.cssSelector("button.delete")).click();
    browser.waitFor(d -> row(d, "hours.txt") == null);
    assertThat(apiDocuments().stream().map(JsonObject.class::cast).map(d -> d.getString("name")))
        .doesNotContain("hours.txt").contains("returns.md");
  }

  @Test
  @Order(5)
  void text_and_url_forms_validate_and_show_api_errors() {
    openTab();
    browser.driver.findElement(By.cssSelector("#kb-text-form button[type=submit]")).click();
    assertThat(byId("kb-text-name-error").getText()).contains("title is required");
    assertThat(byId("kb-text-body-error").getText()).contains("Enter some text");
    byId("kb-text-name").sendKeys("Opening hours <b>");
    byId("kb-text-body").sendKeys("# Hours\n\nStores open at nine.");
    browser.driver.findElement(By.cssSelector("#kb-text-form button[type=submit]")).click();
    rowWithStatus("Opening hours <b>", "ready");

    WebElement url = byId("kb-url");
    url.sendKeys("ftp://example.com/x");
    browser.driver.findElement(By.cssSelector("#kb-url-form button[type=submit]")).click();
    assertThat(byId("kb-url-error").getText()).contains("http or https");
    url.clear();
    url.sendKeys("http://127.0.0.1:" + browser.app.port + "/admin/");
    browser.driver.findElement(By.cssSelector("#kb-url-form button[type=submit]")).click();
    WebElement error = browser.waitFor(d -> {
      WebElement e = d.findElement(By.cssSelector("#kb-url-form .error"));
      return e.isDisplayed() ? e : null;
    });
    assertThat(error.getText()).contains("url_not_allowed");
    assertThat(url.getDomAttribute("aria-invalid")).isEqualTo("true");

    browser.size(390, 844);
    browser.open("/admin/#/bots/" + botId + "/knowledge");
    byId("documents");
    assertThat(browser.js("return document.documentElement.scrollWidth <= window.innerWidth;")).isEqualTo(true);
    browser.screenshot("admin-knowledge-phone");
    browser.size(1280, 900);
    assertThat(browser.dialogs()).isZero();
  }

  @Test
  @Order(6)
  void a_reindex_button_shows_when_documents_were_embedded_with_another_model() throws Exception {
    // as if returns.md had been embedded while another model was configured
    try (var db = browser.app.jdbc(); var update = db.prepareStatement(
        "UPDATE documents SET embedding_model = 'openai:text-embedding-3-small' WHERE bot_id = ? AND name = 'returns.md'")) {
      update.setString(1, botId);
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
    // and announced as ingestion announces a document that became ready: the rag component reads the models again
    browser.app.vertx.eventBus().publish(Addresses.EVENTS_DOCUMENT_CHANGED,
        new JsonObject().put("bot_id", botId).put("status", "ready"));
    openTab();
    // the tab is already open (same URL): load the page again so the list is read afresh
    browser.driver.navigate().refresh();
    browser.hookDialogs();
    WebElement notice = browser.waitFor(d -> {
      WebElement n = d.findElement(By.id("reindex"));
      return n.isDisplayed() ? n : null;
    });
    assertThat(notice.getText()).contains("1 document was embedded with openai:text-embedding-3-small")
        .contains("all-minilm-l6-v2-q");
    browser.screenshot("admin-knowledge-reindex");
    byId("reindex-button").click();
    slowly(d -> !d.findElement(By.id("reindex")).isDisplayed());
    assertThat(apiDocuments().stream().map(JsonObject.class::cast)
        .filter(d -> "returns.md".equals(d.getString("name"))).findFirst().orElseThrow().getString("embedding_model"))
        .isEqualTo("all-minilm-l6-v2-q");
    assertThat(browser.dialogs()).isZero();
  }

  @Test
  @Order(7)
  void several_small_files_are_sent_in_fewer_requests_than_files_and_all_become_listed() throws Exception {
    List<String> names = List.of("gate-1.txt", "gate-2.md", "gate-3.txt", "gate-4.html", "gate-5.txt", "gate-6.md");
    List<Path> picked = new ArrayList<>();
    for (String name : names) {
      picked.add(file(name, "The shuttle to " + name.substring(0, 6) + " leaves every " + name.charAt(5) + "0 minutes."));
    }
    String bot = pickInNewBot("Grouped uploads", picked);

    slowly(d -> uploadStates("done").size() == names.size());
    List<List<String>> requests = uploadRequests(bot, names.size());
    assertThat(requests).hasSizeLessThan(names.size());
    assertThat(requests.stream().flatMap(List::stream)).containsExactlyInAnyOrderElementsOf(names);
    for (String name : names) {
      slowly(d -> row(d, name));
    }
    assertThat(browser.dialogs()).isZero();
  }

  @Test
  @Order(8)
  void a_file_the_server_refuses_fails_with_its_message_and_the_rest_of_its_request_is_added() throws Exception {
    String bot = pickInNewBot("One refused upload", List.of(file("menu.md", "# Menu\n\nSoup of the day, bread and a drink."),
        file("scan.pdf", "only text, no PDF inside"), file("prices.txt", "A coffee costs two euros.")));

    assertThat(uploadsEnd(List.of("menu.md", "prices.txt"), "scan.pdf"))
        .startsWith("'scan.pdf': ").contains("not a PDF", "unsupported_media_type");
    // The refused request left no entry; the other two went again together.
    List<List<String>> requests = uploadRequests(bot, 2);
    assertThat(requests).hasSize(1);
    assertThat(requests.get(0)).containsExactlyInAnyOrder("menu.md", "prices.txt");
    assertThat(row(browser.driver, "scan.pdf")).isNull();
    assertThat(browser.dialogs()).isZero();
  }

  @Test
  @Order(9)
  void a_refused_file_the_server_names_otherwise_is_found_by_sending_its_request_again_file_by_file() throws Exception {
    // The server's multipart decoder reads '=' in a file name as a space: its error names "rates 2027.pdf".
    String bot = pickInNewBot("Renamed refused upload", List.of(file("hours.md", "# Hours\n\nThe museum opens at ten."),
        file("rates=2027.pdf", "a price list typed as text"), file("staff.txt", "Ask the guides in blue jackets.")));

    assertThat(uploadsEnd(List.of("hours.md", "staff.txt"), "rates=2027.pdf")).contains("not a PDF", "unsupported_media_type");
    List<List<String>> requests = uploadRequests(bot, 2);
    assertThat(requests).hasSize(2).allSatisfy(files -> assertThat(files).hasSize(1));
    assertThat(browser.dialogs()).isZero();
  }
}
