package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** The admin shows a new bot's rate limits before it is saved, and a stored bot's warnings. */
@Timeout(120)
class AdminBotChecksTest {

  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireInstalled();
    browser = Browser.start();
    browser.useAdminToken();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  void the_new_bot_form_shows_20_turns_per_session_and_120_per_address() {
    browser.open("/admin/#/bots/new");
    WebElement perSession = browser.waitFor(d -> d.findElement(By.id("f-rate_limit-per_session_per_minute")));
    assertThat(perSession.getDomProperty("value")).isEqualTo("20");
    assertThat(browser.driver.findElement(By.id("f-rate_limit-per_address_per_minute")).getDomProperty("value"))
        .isEqualTo("120");
  }

  @Test
  void a_bot_whose_settings_cannot_work_as_meant_shows_its_warnings() {
    String id = browser.createBot(new JsonObject().put("name", "Offline").put("provider", "extractive")
        .put("budget", new JsonObject().put("daily_tokens", 1000))).getString("id");
    browser.open("/admin/#/bots/" + id);
    WebElement warnings = browser.waitFor(d -> d.findElement(By.id("bot-warnings")));
    assertThat(warnings.getText()).contains("budget").contains("extractive");
  }
}
