package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page's Markdown renderer (webroot/chat/markdown.js) in a real browser: normal Markdown,
 * streaming that gives the same DOM as rendering at once, and 200 KB adversarial answers (the shapes
 * that made the old renderer quadratic) rendered correctly with nothing injected. Times are printed by
 * bench/markdown.js, never asserted here.
 */
@Timeout(300)
class MarkdownRenderingTest {

  /** What the renderer may create; anything else in an answer came from the text. */
  static final String OWN_TAGS = "DIV P BR EM STRONG DEL CODE PRE A UL OL LI BLOCKQUOTE H3 H4 H5 H6 HR";

  /** Facts about a rendered element: tags outside OWN_TAGS, link targets, depth, counts, text. */
  static final String FACTS = "var own = arguments[1].split(' '); var el = arguments[0];"
      + "var foreign = Array.prototype.filter.call(el.querySelectorAll('*'), function (e) { return own.indexOf(e.tagName) < 0; })"
      + "  .map(function (e) { return e.tagName; });"
      + "var hrefs = Array.prototype.map.call(el.querySelectorAll('a'), function (a) { return a.protocol; })"
      + "  .filter(function (p, i, all) { return all.indexOf(p) === i; });"
      + "var depth = 0; (function walk(n, d) { depth = Math.max(depth, d); for (var c = n.firstElementChild; c; c = c.nextElementSibling) { walk(c, d + 1); } })(el, 0);"
      + "var count = function (s) { return el.querySelectorAll(s).length; };"
      + "return { foreign: foreign, protocols: hrefs, depth: depth, em: count('em'), strong: count('strong'), li: count('li'),"
      + "  blockquote: count('blockquote'), a: count('a'), text: el.textContent };";

  static Browser browser;
  static JsonObject bot;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireInstalled();
    browser = Browser.start();
    bot = browser.createBot(new JsonObject().put("name", "Markdown bot").put("api_key", "sk-test-0123456789abcdef")
        .put("rag", new JsonObject().put("enabled", false)));
  }

  @BeforeEach
  void open() {
    browser.app.openai.reset();
    browser.openFreshChat(bot.getString("id"));
  }

  @AfterEach
  void no_dialog_ever_opened() {
    assertThat(browser.dialogs()).isZero();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  private String html(String markdown) {
    return (String) browser.js("return ParleyMarkdown.render(arguments[0]).innerHTML;", markdown);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> facts(String markdown) {
    return (Map<String, Object>) browser.js("arguments[0] = ParleyMarkdown.render(arguments[0]);" + FACTS, markdown, OWN_TAGS);
  }

  @Test
  void normal_markdown_renders_headings_lists_code_links_and_emphasis() {
    assertThat(html("# Title ##\n\n## Sub\n\nSome *em*, **strong**, __strong__, _em_, ~~gone~~, `a <b>`, snake_case_name.\n"
        + "Second line"))
        .isEqualTo("<h3>Title</h3><h4>Sub</h4><p>Some <em>em</em>, <strong>strong</strong>, <strong>strong</strong>, <em>em</em>, "
            + "<del>gone</del>, <code>a &lt;b&gt;</code>, snake_case_name.<br>Second line</p>");
    assertThat(html("- one\n  more\n- two *x*\n\n3. three\n4. four\n\n> quoted\n> > deeper\n\n---\n\n```js\n<script>x</script>\n**no**\n```"))
        .isEqualTo("<ul><li>one<br>more</li><li>two <em>x</em></li></ul><ol start=\"3\"><li>three</li><li>four</li></ol>"
            + "<blockquote><div class=\"md\"><p>quoted</p><blockquote><div class=\"md\"><p>deeper</p></div></blockquote></div></blockquote>"
            + "<hr><pre><code>&lt;script&gt;x&lt;/script&gt;\n**no**</code></pre>");
    assertThat(html("[site](https://example.com/a) see https://example.org/x. ![pic](https://example.com/p.png) [m](mailto:a@example.com)"))
        .isEqualTo("<p><a href=\"https://example.com/a\" target=\"_blank\" rel=\"noopener noreferrer\">site</a> see "
            + "<a href=\"https://example.org/x\" target=\"_blank\" rel=\"noopener noreferrer\">https://example.org/x</a>. "
            + "<a href=\"https://example.com/p.png\" target=\"_blank\" rel=\"noopener noreferrer\">[image: pic]</a> "
            + "<a href=\"mailto:a@example.com\" target=\"_blank\" rel=\"noopener noreferrer\">m</a></p>");
    // Only http, https and mailto become links; the others stay text, as written.
    String unsafe = "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(2)) [c](data:text/html,x) [d](vbscript:x) [e](java\tscript:x)";
    assertThat(html(unsafe)).isEqualTo("<p>" + unsafe + "</p>");
    assertThat(html("***both*** **open *em* still open")).isEqualTo("<p><em><strong>both</strong></em> **open <em>em</em> still open</p>");
  }

  @Test
  void a_stream_split_at_every_character_gives_the_one_shot_dom() {
    String sample = "# Title ##\r\n\r\nHello *a* **b** __c__ _d_ ~~e~~ `x*y` [l](https://e.com/) ![i](https://e.com/i.png) "
        + "https://x.org/a. snake_case\n\n- one\n  more\n- two\n1. a\n2. b\n> q *x*\n> > deeper\nplain\r```js\ncode <b>\n```\n"
        + "---\n[bad](javascript:alert(1)) ***both*** **a*\n\n\nlast *open";
    Object mismatches = browser.js("var text = arguments[0]; var want = ParleyMarkdown.render(text).innerHTML; var bad = [];"
        + "for (var i = 0; i <= text.length; i++) {"
        + "  var v = ParleyMarkdown.stream(); v.append(text.slice(0, i)); v.update(); v.append(text.slice(i)); v.finish();"
        + "  if (v.element.innerHTML !== want) { bad.push('split ' + i); } }"
        + "var each = ParleyMarkdown.stream();"
        + "for (var j = 0; j < text.length; j++) { each.append(text[j]); each.update(); }"
        + "each.finish(); if (each.element.innerHTML !== want) { bad.push('one character at a time'); }"
        + "return bad;", sample);
    assertThat((List<?>) mismatches).isEmpty();
  }

  @Test
  void adversarial_200_kb_shapes_render_their_text_with_nothing_injected() {
    int size = 200 * 1024;
    Map<String, Object> stars = facts("*a* ".repeat(size / 4));
    assertThat(stars).containsEntry("em", (long) (size / 4)).containsEntry("text", "a ".repeat(size / 4));
    List<String> unclosed = List.of("**a ".repeat(size / 4), "_a ".repeat(size / 3), "~~a ".repeat(size / 4),
        "`" + "a ".repeat(size / 2), "[a ".repeat(size / 3), "[a](".repeat(size / 4), "![a](".repeat(size / 5));
    for (String text : unclosed) {
      Map<String, Object> f = facts(text);
      assertThat(f).as(text.substring(0, 5)).containsEntry("text", text).containsEntry("a", 0L).containsEntry("em", 0L);
      assertThat((List<?>) f.get("foreign")).as(text.substring(0, 5)).isEmpty();
    }
    StringBuilder lists = new StringBuilder();
    StringBuilder quotes = new StringBuilder();
    for (int k = 0; lists.length() < size; k++) {
      lists.append("  ".repeat(k % 40)).append("- item ").append(k).append('\n');
      quotes.append("> ".repeat(k % 50)).append("quote ").append(k).append('\n');
    }
    assertThat(facts(lists.toString()).get("li")).isEqualTo((long) lists.toString().split("\n").length);
    Map<String, Object> nested = facts(quotes.toString() + ">".repeat(size) + " x");
    assertThat((String) nested.get("text")).contains("quote 49", ">".repeat(size - 8) + " x");
    assertThat((Long) nested.get("depth")).isLessThanOrEqualTo(20);
    String long1 = "https://example.com/" + "a".repeat(4000);
    Map<String, Object> links = facts(("[link](" + long1 + ") " + long1 + " ").repeat(size / 8040 + 1));
    assertThat(links.get("a")).isEqualTo(2L * (size / 8040 + 1));
    assertThat(links.get("protocols")).isEqualTo(List.of("https:"));
    Map<String, Object> deep = facts("*a ".repeat(20_000) + "b" + " c*".repeat(20_000));
    // 32 openers wait at most; the rest stay text
    assertThat(deep).containsEntry("em", 32L).containsEntry("text",
        "a ".repeat(32) + "*a ".repeat(20_000 - 32) + "b" + " c".repeat(32) + " c*".repeat(20_000 - 32));
    assertThat((Long) deep.get("depth")).isLessThanOrEqualTo(40);
  }

  /** About 200 KB (times {@code scale} / 10) of the adversarial shapes, in one answer. */
  private static String adversarialAnswer(int scale) {
    StringBuilder answer = new StringBuilder();
    answer.append("*a* ".repeat(1_000 * scale)).append("\n\n");
    answer.append("**b ".repeat(500 * scale)).append("\n\n");
    answer.append("`").append("c ".repeat(1_000 * scale)).append("\n\n");
    answer.append("[d ".repeat(500 * scale)).append("\n\n");
    for (int k = 0; k < 60 * scale; k++) {
      answer.append("  ".repeat(k % 30)).append("- item *").append(k).append("*\n");
    }
    answer.append('\n');
    for (int k = 0; k < 60 * scale; k++) {
      answer.append("> ".repeat(k % 30)).append("quote ").append(k).append('\n');
    }
    answer.append('\n').append(">".repeat(500 * scale)).append(" deep\n\n");
    answer.append(("[link](https://example.com/" + "l".repeat(300 * scale) + ") ").repeat(4)).append("\n\n");
    answer.append("<img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3)) ".repeat(60 * scale));
    return answer.toString();
  }

  @SuppressWarnings("unchecked")
  private static void assertAdversarialAnswerShown(Map<String, Object> shown, int scale) {
    assertThat(shown.get("same")).isEqualTo(true);
    assertThat((List<?>) shown.get("foreign")).isEmpty();
    assertThat(shown.get("protocols")).isEqualTo(List.of("https:"));
    assertThat(shown).containsEntry("em", 1_060L * scale).containsEntry("a", 4L).containsEntry("li", 60L * scale);
    assertThat((String) shown.get("text")).contains("<img src=x onerror=alert(1)>", "<script>alert(2)</script>",
        "[x](javascript:alert(3))", "**b **b", "[d [d", "quote " + (60 * scale - 1), " deep");
  }

  @Test
  void a_200_kb_adversarial_answer_streamed_in_word_deltas_equals_the_one_shot_rendering() {
    String text = adversarialAnswer(10);
    assertThat(text.length()).isGreaterThan(200 * 1024);
    // the deltas the fake model server sends (words with their spaces), the view updated every 50 of them; rendering
    // the growing answer ~100 times took over 10 s once on a loaded two-core machine, so the script gets a minute
    @SuppressWarnings("unchecked")
    Map<String, Object> shown = (Map<String, Object>) browser.js(Duration.ofSeconds(60),
        "var text = arguments[2]; var deltas = text.match(/\\s*\\S+\\s*$|\\s*\\S+/g); var view = ParleyMarkdown.stream();"
            + "deltas.forEach(function (d, i) { view.append(d); if (i % 50 === 0) { view.update(); } });"
            + "view.finish(); var same = view.element.innerHTML === ParleyMarkdown.render(text).innerHTML;"
            + "arguments[0] = view.element; var f = (function () {" + FACTS + "}).apply(null, arguments); f.same = same; return f;",
        null, OWN_TAGS, text);
    assertAdversarialAnswerShown(shown, 10);
  }

  @Test
  void an_adversarial_answer_streamed_by_the_model_server_is_shown_as_rendered_at_once() {
    String text = adversarialAnswer(2);
    browser.app.openai.answerWith(text);
    WebElement input = browser.driver.findElement(By.id("input"));
    input.sendKeys("Something long, please");
    input.sendKeys(Keys.ENTER);
    new WebDriverWait(browser.driver, Duration.ofSeconds(120)).until(d ->
        d.findElements(By.cssSelector("#log .msg.assistant .feedback")).size() == 1 || d.findElement(By.id("notice")).isDisplayed());
    WebElement notice = browser.driver.findElement(By.id("notice"));
    assertThat(notice.isDisplayed()).as("the page's notice: %s", notice.getText()).isFalse();
    @SuppressWarnings("unchecked")
    Map<String, Object> shown = (Map<String, Object>) browser.js(
        "var b = document.querySelector('#log .msg.assistant:not(.greeting) .bubble');"
            + "var same = b.firstChild.innerHTML === ParleyMarkdown.render(arguments[2]).innerHTML;"
            + "arguments[0] = b; var f = (function () {" + FACTS + "}).apply(null, arguments); f.same = same; return f;",
        null, OWN_TAGS, text);
    assertAdversarialAnswerShown(shown, 2);
    assertThat(browser.driver.findElements(By.cssSelector("#log img, #log script, #log iframe"))).isEmpty();
  }
}
