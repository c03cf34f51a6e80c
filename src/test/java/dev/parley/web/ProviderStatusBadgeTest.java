package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.TestApp;
import dev.parley.fake.Fault;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** The dashboard's warning badge on a bot whose provider refused its key, in a real browser. */
@Timeout(90)
class ProviderStatusBadgeTest {

  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireInstalled();
    browser = Browser.start();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  void a_bot_whose_key_was_refused_shows_a_badge_in_the_list_and_on_its_page_until_the_key_is_changed() {
    String healthy = browser.createBot(new JsonObject().put("name", "Healthy").put("api_key", "sk-healthy-0123456789"))
        .getString("id");
    String broken = browser.createBot(new JsonObject().put("name", "Broken key").put("api_key", "sk-revoked-0123456789"))
        .getString("id");
    browser.app.openai.enqueue(Fault.status(401));
    assertThat(Browser.await(browser.app.chat(broken, new JsonObject().put("message", "hi"))).statusCode())
        .isEqualTo(503);

    browser.open("/admin/");
    browser.js("sessionStorage.setItem('parley.admin.token', arguments[0]);", TestApp.ADMIN_TOKEN);
    browser.open("/admin/#/bots");
    WebElement badge = browser.waitFor(d -> d.findElement(
        By.cssSelector("tr[data-bot-id='" + broken + "'] .provider-status")));
    assertThat(badge.getText()).isEqualTo("API key invalid");
    assertThat(badge.getDomAttribute("title")).contains("refused the API key");
    assertThat(browser.driver.findElements(By.cssSelector("tr[data-bot-id='" + healthy + "'] .provider-status")))
        .isEmpty();
    browser.screenshot("admin-provider-status");

    browser.open("/admin/#/bots/" + broken);
    WebElement title = browser.waitFor(d -> d.findElement(By.cssSelector("#bot-title .provider-status")));
    assertThat(title.getText()).isEqualTo("API key invalid");

    Browser.await(browser.app.admin(io.vertx.core.http.HttpMethod.PUT, "/api/bots/" + broken)
        .sendJsonObject(new JsonObject().put("api_key", "sk-a-new-key-0123456789")));
    browser.open("/admin/#/bots");
    browser.waitFor(d -> d.findElement(By.cssSelector("tr[data-bot-id='" + broken + "']")));
    assertThat(browser.driver.findElements(By.cssSelector(".provider-status"))).isEmpty();
  }
}
