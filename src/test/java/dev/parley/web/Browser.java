package dev.parley.web;

import dev.parley.testing.Await;
import dev.parley.testing.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium (Debian's, through /usr/bin/chromedriver) and one whole Parley (TestApp,
 * fake model servers) per test class. Selenium blocks, so the tests drive it from the JUnit
 * thread and wait for Vert.x futures with {@link Await#result}.
 */
final class Browser implements AutoCloseable {

  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  static final Path SCREENSHOTS = Paths.get("target", "screenshots");
  /** How long a script run in the page may take. */
  static final Duration SCRIPT_LIMIT = Duration.ofSeconds(10);

  final Vertx vertx;
  final TestApp app;
  final ChromeDriver driver;
  final String base;
  private final Path dataDir;
  private final Path profile;
  /** Whether {@link #close} ends the Parley too (false for {@link #another}). */
  private boolean ownsApp = true;

  private Browser(Vertx vertx, TestApp app, ChromeDriver driver, Path dataDir, Path profile) {
    this.vertx = vertx;
    this.app = app;
    this.driver = driver;
    this.dataDir = dataDir;
    this.profile = profile;
    this.base = "http://127.0.0.1:" + app.port;
  }

  /**
   * Fails (never skips) when the browser is missing: these tests are part of the suite, and
   * .ci/run installs Debian's chromium and chromium-driver.
   */
  static void requireInstalled() {
    if (!new File(CHROMIUM).canExecute() || !new File(CHROMEDRIVER).canExecute()) {
      throw new IllegalStateException("Browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
          + ": run .ci/run, or apt-get install chromium chromium-driver");
    }
  }

  static Browser start() throws IOException {
    return start(new JsonObject());
  }

  /** Like {@link #start()}, with {@code overrides} deep-merged over Parley's test config. */
  static Browser start(JsonObject overrides) throws IOException {
    Vertx vertx = Vertx.vertx();
    Path dataDir = Files.createTempDirectory("parley-web");
    TestApp app = Await.result(TestApp.start(vertx, dataDir, overrides));
    Path profile = Files.createTempDirectory("parley-chromium");
    return new Browser(vertx, app, chromium(profile), dataDir, profile);
  }

  /**
   * A second browser on the same Parley: its own Chromium and profile (cookies, storage), as a second person
   * on another computer would have. Closing it leaves the Parley running.
   */
  Browser another() throws IOException {
    Path otherProfile = Files.createTempDirectory("parley-chromium");
    Browser other = new Browser(vertx, app, chromium(otherProfile), null, otherProfile);
    other.ownsApp = false;
    return other;
  }

  private static ChromeDriver chromium(Path profile) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,900");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER))
        .usingAnyFreePort()
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20)).scriptTimeout(SCRIPT_LIMIT);
    return driver;
  }

  /** Opens the admin and signs in there with the bootstrap admin token (kept in the tab's sessionStorage). */
  void useAdminToken() {
    open("/admin");
    js("sessionStorage.setItem('parley.admin.token', arguments[0]);", TestApp.ADMIN_TOKEN);
  }

  JsonObject createBot(JsonObject fields) {
    return Await.result(app.createBot(fields));
  }

  void open(String path) {
    driver.get(path.startsWith("http") ? path : base + path);
  }

  /** The chat page of a bot with no stored session, dialogs counted, once it says it is ready. */
  void openFreshChat(String botId) {
    open("/chat/" + botId);
    js("localStorage.clear();");
    open("/chat/" + botId);
    hookDialogs();
    waitFor(d -> "true".equals(d.findElement(org.openqa.selenium.By.tagName("body")).getDomAttribute("data-ready")));
  }

  /**
   * A host page that embeds the widget ({@code <script src=".../widget.js">}): opens it, opens the widget by its
   * launcher (whose label names {@code title}) and switches into the widget's frame once its chat page is ready.
   */
  void openWidget(String hostPage, String title) {
    open(hostPage);
    hookDialogs();
    SearchContext root = waitFor(d -> {
      List<WebElement> hosts = d.findElements(By.cssSelector("[data-parley]"));
      return hosts.isEmpty() ? null : hosts.get(0).getShadowRoot();
    });
    WebElement launcher = root.findElement(By.cssSelector("button.l"));
    waitFor(d -> launcher.getDomAttribute("aria-label").contains(title));
    launcher.click();
    WebElement frame = root.findElement(By.cssSelector(".p iframe"));
    waitFor(d -> frame.isDisplayed());
    driver.switchTo().frame(frame);
    waitFor(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** {@link #js} for a script that may run longer than the usual limit ({@link #SCRIPT_LIMIT}) ({@code limit} instead). */
  Object js(Duration limit, String script, Object... args) {
    driver.manage().timeouts().scriptTimeout(limit);
    try {
      return js(script, args);
    } finally {
      driver.manage().timeouts().scriptTimeout(SCRIPT_LIMIT);
    }
  }

  /**
   * Runs {@code script} in every document this browser loads from now on, before the page's own scripts
   * (Chromium's Page.addScriptToEvaluateOnNewDocument): a test replaces a browser API or a route the page
   * calls. Returns the identifier for {@link #unstub}.
   */
  String stubOnEveryPage(String script) {
    return String.valueOf(driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", script))
        .get("identifier"));
  }

  void unstub(String identifier) {
    driver.executeCdpCommand("Page.removeScriptToEvaluateOnNewDocument", Map.of("identifier", identifier));
  }

  /** Counts calls of alert, confirm and prompt in the current document. */
  void hookDialogs() {
    js("window.__dialogs = 0; window.alert = window.confirm = window.prompt = function () { window.__dialogs++; };");
  }

  long dialogs() {
    Object n = js("return window.__dialogs || 0;");
    return ((Number) n).longValue();
  }

  <T> T waitFor(Function<WebDriver, T> condition) {
    // a page that re-renders while the condition reads it leaves stale elements: read it again at the next try
    return new WebDriverWait(driver, Duration.ofSeconds(10))
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition);
  }

  /**
   * Clicks what {@code locator} finds, once it is there. For a part the page draws anew while the test runs (a list
   * redrawn as live events or polls arrive, buttons redrawn after each action): the element is found again at each
   * try, so a redraw between finding and clicking costs a retry, not a StaleElementReferenceException.
   */
  void click(By locator) {
    waitFor(d -> {
      d.findElement(locator).click();
      return true;
    });
  }

  void size(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  void screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      File shot = driver.getScreenshotAs(OutputType.FILE);
      Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      if (ownsApp) {
        Await.result(vertx.close());
        delete(dataDir);
      }
      delete(profile);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp folder left behind is harmless
    }
  }

}
