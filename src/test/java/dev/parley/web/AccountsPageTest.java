package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.Operators;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * People in the admin dashboard, in a real browser: the first owner's account made on the sign-in page, an editor
 * invited with one of two bots who sets a password through the invite link and then sees only that bot and no users
 * page, each step in the audit log; a viewer who is offered nothing to change; API tokens shown once.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AccountsPageTest {

  static final String OWNER = "owner@example.test";
  static final String EDITOR = "editor@example.test";

  static Browser browser;
  static String alpha;
  static String beta;
  static String editorId;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireInstalled();
    browser = Browser.start();
    alpha = browser.createBot(new JsonObject().put("name", "Alpha desk")).getString("id");
    beta = browser.createBot(new JsonObject().put("name", "Beta desk")).getString("id");
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  private static WebElement byId(String id) {
    return browser.waitFor(d -> d.findElement(By.id(id)));
  }

  private static void type(String id, String value) {
    WebElement el = byId(id);
    el.clear();
    el.sendKeys(value);
  }

  private static WebElement shownError(String css) {
    return browser.waitFor(d -> {
      WebElement e = d.findElement(By.cssSelector(css));
      return e.isDisplayed() && !e.getText().isEmpty() ? e : null;
    });
  }

  /** The rows of the audit log that match the query, through the API with the bootstrap token. */
  private static List<JsonObject> audit(String query) {
    JsonObject page = Await.result(browser.app.admin(HttpMethod.GET, "/api/audit?" + query).send()).bodyAsJsonObject();
    return page.getJsonArray("entries").stream().map(JsonObject.class::cast).toList();
  }

  private static void signOut() {
    byId("sign-out").click();
    byId("signin-form");
  }

  private static void signIn(String email, String password) {
    type("signin-email", email);
    type("signin-password", password);
    browser.driver.findElement(By.cssSelector("#signin-form button[type=submit]")).click();
    browser.waitFor(d -> d.findElement(By.id("who")).getText().contains("·"));
  }

  @Test
  @Order(1)
  void the_first_owner_makes_their_account_on_the_sign_in_page() {
    browser.open("/admin/");
    browser.hookDialogs();
    byId("setup-form");
    type("setup-email", OWNER);
    type("setup-name", "Olive Owner");
    type("setup-password", "too short");
    type("setup-again", "too short");
    browser.driver.findElement(By.cssSelector("#setup-form button[type=submit]")).click();
    assertThat(byId("setup-password-error").getText()).isEqualTo("At least 12 characters");
    browser.screenshot("admin-setup");
    type("setup-password", Operators.PASSWORD);
    type("setup-again", Operators.PASSWORD);
    browser.driver.findElement(By.cssSelector("#setup-form button[type=submit]")).click();

    browser.waitFor(d -> d.findElements(By.cssSelector("#bots tr[data-bot-id]")).size() == 2);
    assertThat(byId("who").getText()).isEqualTo("Olive Owner · owner");
    assertThat(byId("nav-users").isDisplayed()).isTrue();
    assertThat(byId("nav-audit").isDisplayed()).isTrue();
    // the session is the HttpOnly cookie: nothing is kept where a script could read it
    assertThat(browser.js("return sessionStorage.length + localStorage.length + document.cookie.length;")).isEqualTo(0L);
    assertThat(browser.dialogs()).isZero();
  }

  @Test
  @Order(2)
  void the_owner_invites_an_editor_with_one_of_two_bots_and_copies_the_link_shown_once() {
    browser.open("/admin/#/users");
    byId("invite-user-form");
    // the list is read after the form is shown
    assertThat(browser.waitFor(d -> d.findElement(By.cssSelector("#users tr[data-email='" + OWNER + "']"))).getText())
        .contains("Olive Owner", "(you)", "owner", "every bot");
    type("invite-email", "not an address");
    browser.driver.findElement(By.cssSelector("#invite-user-form button[type=submit]")).click();
    assertThat(byId("invite-email-error").getText()).isEqualTo("Enter an email address");

    type("invite-email", EDITOR);
    type("invite-name", "Eddie Editor");
    assertThat(byId("invite-role").getDomProperty("value")).isEqualTo("editor");
    browser.driver.findElement(By.cssSelector("#invite-scope input[type=checkbox][value='" + alpha + "']")).click();
    assertThat(byId("invite-scope-some").isSelected()).isTrue();
    browser.driver.findElement(By.cssSelector("#invite-user-form button[type=submit]")).click();

    String url = browser.waitFor(d -> d.findElement(By.id("invite-url"))).getDomProperty("value");
    assertThat(url).startsWith(browser.base + "/admin/#/invite/");
    // the emptied form offers the least surprising role again, never the first of the list (owner)
    assertThat(byId("invite-role").getDomProperty("value")).isEqualTo("editor");
    assertThat(byId("invite-scope-all").isSelected()).isTrue();
    WebElement row = browser.waitFor(d -> d.findElement(By.cssSelector("#users tr[data-email='" + EDITOR + "']")));
    assertThat(row.getText()).contains("Eddie Editor", "Invited", "editor", "Alpha desk").doesNotContain("Beta desk");
    browser.screenshot("admin-users-invite");
    editorId = row.getDomAttribute("data-user-id");
    JsonObject stored = Await.result(browser.app.admin(HttpMethod.GET, "/api/users/" + editorId).send()).bodyAsJsonObject();
    assertThat(stored.getJsonArray("bot_ids")).isEqualTo(new JsonArray().add(alpha));
    assertThat(stored.getString("role")).isEqualTo("editor");

    String late = "late@example.test";
    String lateId = Await.result(browser.app.admin(HttpMethod.POST, "/api/users").sendJsonObject(new JsonObject()
        .put("email", late).put("name", "Late Larry").put("role", "viewer"))).bodyAsJsonObject().getString("id");
    new Operators(browser.app).expireInvite(lateId);

    // shown once: the page read afresh has the user, not the link
    browser.driver.navigate().refresh();
    byId("invite-user-form");
    assertThat(browser.driver.findElements(By.id("invite-url"))).isEmpty();
    assertThat(browser.waitFor(d -> d.findElement(By.cssSelector("#users tr[data-email='" + late + "']"))).getText())
        .contains("Late Larry", "Invite expired");
    assertThat(browser.driver.findElement(By.cssSelector("#users tr[data-email='" + EDITOR + "']")).getText())
        .contains("Invited").doesNotContain("expired");
    browser.driver.findElement(By.cssSelector("#users tr[data-email='" + late + "'] button.reinvite")).click();
    browser.waitFor(d -> d.findElement(By.id("invite-link")).getText().contains(late));
    assertThat(browser.driver.findElement(By.cssSelector("#users tr[data-email='" + late + "'] .invite-badge")).getText())
        .isEqualTo("Invited");

    // the link was lost: a new one replaces it, and only the new one works
    WebElement again = browser.waitFor(d -> d.findElement(By.cssSelector("#users tr[data-email='" + EDITOR + "'] button.reinvite")));
    assertThat(browser.driver.findElements(By.cssSelector("#users tr[data-email='" + OWNER + "'] button.reinvite"))).isEmpty();
    again.click();
    browser.waitFor(d -> d.findElement(By.id("invite-link")).getText().contains(EDITOR));
    String renewed = byId("invite-url").getDomProperty("value");
    assertThat(renewed).startsWith(browser.base + "/admin/#/invite/").isNotEqualTo(url);
    assertThat(byId("invite-link").getText()).contains(EDITOR, "72 hours", "Parley has no mail server");
    var old = Await.result(browser.app.client.post("/api/invites/" + url.substring(url.lastIndexOf('/') + 1))
        .sendJsonObject(new JsonObject().put("password", "a password that never gets set")));
    assertThat(old.statusCode()).isEqualTo(404);
    browser.js("window.__invite = arguments[0];", renewed);
    signOut();
    browser.open(renewed);
  }

  @Test
  @Order(3)
  void the_editor_sets_a_password_through_the_link_and_sees_only_their_bot_and_no_users_page() {
    byId("invite-form");
    assertThat(byId("invite-form").getText()).contains("At least 12 characters");
    type("invite-password", "short one");
    type("invite-again", "short one");
    browser.driver.findElement(By.cssSelector("#invite-form button[type=submit]")).click();
    assertThat(byId("invite-password-error").getText()).isEqualTo("At least 12 characters");
    type("invite-password", Operators.PASSWORD);
    type("invite-again", Operators.PASSWORD + "!");
    browser.driver.findElement(By.cssSelector("#invite-form button[type=submit]")).click();
    assertThat(byId("invite-again-error").getText()).isEqualTo("The two passwords differ");
    browser.screenshot("admin-invite");
    type("invite-again", Operators.PASSWORD);
    browser.driver.findElement(By.cssSelector("#invite-form button[type=submit]")).click();

    browser.waitFor(d -> d.findElements(By.cssSelector("#bots tr[data-bot-id]")).size() == 1);
    assertThat(browser.driver.findElement(By.cssSelector("#bots tr[data-bot-id]")).getDomAttribute("data-bot-id"))
        .isEqualTo(alpha);
    assertThat(byId("who").getText()).isEqualTo("Eddie Editor · editor");
    assertThat(byId("nav-users").isDisplayed()).isFalse();
    assertThat(byId("nav-audit").isDisplayed()).isFalse();
    // scoped to a list of bots: an editor could not see a bot it made, so none is offered
    assertThat(browser.driver.findElements(By.id("new-bot"))).isEmpty();
    browser.screenshot("admin-editor-bots");

    browser.open("/admin/#/users");
    browser.waitFor(d -> d.getCurrentUrl().endsWith("#/bots"));
    assertThat(browser.driver.findElements(By.id("users"))).isEmpty();
    browser.open("/admin/#/bots/" + beta);
    assertThat(shownError(".error").getText()).contains("not_found");

    // the link was used up
    browser.open((String) browser.js("return window.__invite;"));
    type("invite-password", Operators.PASSWORD);
    type("invite-again", Operators.PASSWORD);
    browser.driver.findElement(By.cssSelector("#invite-form button[type=submit]")).click();
    assertThat(shownError("#invite-form .error").getText()).contains("invite_invalid");
  }

  @Test
  @Order(4)
  void each_step_is_in_the_audit_log_and_on_its_page() {
    List<JsonObject> steps = audit("target=user:" + editorId);
    assertThat(steps).extracting(e -> e.getString("action"))
        .containsExactly("auth.login", "auth.invite_accepted", "user.invite", "user.create");
    assertThat(steps).extracting(e -> e.getJsonObject("actor").getString("email"))
        .containsExactly(EDITOR, EDITOR, OWNER, OWNER);
    assertThat(steps.get(3).getJsonObject("changes").encode()).contains(alpha).doesNotContain("invite_url", "pi_");
    assertThat(new JsonArray(steps).encode()).doesNotContain("invite_url", "pi_");

    signInAs(OWNER);
    browser.open("/admin/#/audit");
    // the unfiltered first page is drawn before filtering: arriving after the filtered one, it would draw the list anew
    browser.waitFor(d -> d.findElements(By.cssSelector("#audit tbody tr")).size() > 3);
    type("audit-target", "user:" + editorId);
    browser.driver.findElement(By.cssSelector("#audit-filters button[type=submit]")).click();
    List<WebElement> rows = browser.waitFor(d -> {
      List<WebElement> r = d.findElements(By.cssSelector("#audit tbody tr[data-action]"));
      return r.size() == 4 ? r : null;
    });
    assertThat(rows).extracting(r -> r.getDomAttribute("data-action"))
        .containsExactly("auth.login", "auth.invite_accepted", "user.invite", "user.create");
    assertThat(rows.get(3).findElement(By.cssSelector(".actor")).getText()).isEqualTo(OWNER + " (owner)");
    assertThat(rows.get(0).findElement(By.cssSelector(".actor")).getText()).isEqualTo(EDITOR + " (editor)");
    assertThat(rows.get(3).findElement(By.cssSelector(".target")).getText()).isEqualTo("user " + editorId);
    browser.screenshot("admin-audit");

    type("audit-target", "");
    type("audit-actor", EDITOR);
    browser.driver.findElement(By.cssSelector("#audit-filters button[type=submit]")).click();
    browser.waitFor(d -> d.findElements(By.cssSelector("#audit tbody tr[data-action='user.create']")).isEmpty());
    assertThat(browser.driver.findElements(By.cssSelector("#audit tbody tr[data-action]")))
        .isNotEmpty().allSatisfy(r -> assertThat(r.findElement(By.cssSelector(".actor")).getText()).startsWith(EDITOR));
  }

  /** Signs out whoever is signed in, then signs in as email. */
  private static void signInAs(String email) {
    browser.open("/admin/#/bots");
    browser.waitFor(d -> !d.findElements(By.id("signin-form")).isEmpty() || !d.findElement(By.id("who")).getText().isEmpty());
    if (!browser.driver.findElements(By.cssSelector("#sign-out:not([hidden])")).isEmpty()) {
      signOut();
    }
    signIn(email, Operators.PASSWORD);
  }

  @Test
  @Order(5)
  void the_audit_log_pages_to_older_entries_by_its_cursor() {
    for (int i = 0; i < 3; i++) {
      assertThat(Await.result(browser.app.admin(HttpMethod.PUT, "/api/bots/" + beta)
          .sendJsonObject(new JsonObject().put("name", "Beta desk"))).statusCode()).isEqualTo(200);
    }
    signInAs(OWNER);
    browser.open("/admin/#/audit");
    browser.waitFor(d -> d.findElements(By.cssSelector("#audit tbody tr[data-id]")).size() > 4);
    browser.js("var f = window.fetch; window.fetch = function (u, i) {"
        + " return f.call(window, String(u).replace('limit=50', 'limit=2'), i); };");
    browser.driver.findElement(By.cssSelector("#audit-filters button[type=submit]")).click();
    browser.waitFor(d -> d.findElements(By.cssSelector("#audit tbody tr")).size() == 2);
    byId("audit-older").click();
    browser.waitFor(d -> d.findElements(By.cssSelector("#audit tbody tr")).size() == 4);
    List<Long> ids = browser.driver.findElements(By.cssSelector("#audit tbody tr")).stream()
        .map(r -> Long.parseLong(r.getDomAttribute("data-id"))).toList();
    assertThat(ids).isSortedAccordingTo(java.util.Comparator.reverseOrder()).doesNotHaveDuplicates();
    assertThat(ids.get(0)).isEqualTo(audit("limit=1").get(0).getLong("id"));
  }

  @Test
  @Order(5)
  void a_slow_answer_to_an_earlier_filter_does_not_replace_the_rows_of_the_latest() {
    signInAs(OWNER);
    browser.open("/admin/#/audit");
    browser.driver.navigate().refresh(); // a page of its own: no fetch wrapped by another test
    browser.waitFor(d -> d.findElements(By.cssSelector("#audit tbody tr[data-id]")).size() > 3);
    // the next read without a target filter answers 1.5 s late; window.lateAudit says when its rows could be drawn
    browser.js("var f = window.fetch; window.lateAudit = 'none'; window.fetch = function (u, i) {"
        + " var p = f.call(window, u, i); if (String(u).indexOf('/api/audit?') < 0 || String(u).indexOf('target=') >= 0"
        + " || window.lateAudit !== 'none') { return p; } window.lateAudit = 'sent';"
        + " return p.then(function (r) { return new Promise(function (ok) { setTimeout(function () { ok(r);"
        + " setTimeout(function () { window.lateAudit = 'drawn'; }, 500); }, 1500); }); }); };");
    browser.driver.findElement(By.cssSelector("#audit-filters button[type=submit]")).click();
    browser.waitFor(d -> "sent".equals(browser.js("return window.lateAudit;")));
    type("audit-target", "user:" + editorId);
    browser.driver.findElement(By.cssSelector("#audit-filters button[type=submit]")).click();
    browser.waitFor(d -> d.findElements(By.cssSelector("#audit tbody tr[data-action]")).size() == 4);

    browser.waitFor(d -> "drawn".equals(browser.js("return window.lateAudit;")));

    assertThat(browser.driver.findElements(By.cssSelector("#audit tbody tr[data-action]")))
        .extracting(r -> r.findElement(By.cssSelector(".target")).getText()).containsOnly("user " + editorId);
  }

  @Test
  @Order(6)
  void a_viewer_is_offered_nothing_to_change() {
    Operators people = new Operators(browser.app);
    String email = Operators.email("viewer");
    JsonObject created = people.invite(email, "viewer", new JsonArray().add(alpha).add(beta));
    assertThat(people.accept(Operators.inviteToken(created), Operators.PASSWORD).statusCode()).isEqualTo(200);
    signInAs(email);

    browser.waitFor(d -> d.findElements(By.cssSelector("#bots tr[data-bot-id]")).size() == 2);
    assertThat(browser.driver.findElements(By.id("new-bot"))).isEmpty();
    assertThat(byId("nav-new-bot").isDisplayed()).isFalse();
    assertThat(browser.driver.findElements(By.cssSelector("#bots button.danger"))).isEmpty();
    browser.screenshot("admin-viewer-bots");

    browser.open("/admin/#/bots/new");
    browser.waitFor(d -> d.getCurrentUrl().endsWith("#/bots"));
    browser.open("/admin/#/bots/" + alpha);
    byId("read-only");
    assertThat(browser.driver.findElements(By.id("save"))).isEmpty();
    assertThat(byId("f-name").isEnabled()).isFalse();
    browser.open("/admin/#/bots/" + alpha + "/knowledge");
    byId("kb-search");
    assertThat(browser.driver.findElements(By.cssSelector("#dropzone, #kb-text-form, #kb-url-form"))).isEmpty();
  }

  @Test
  @Order(7)
  void a_token_is_shown_once_acts_for_its_owner_and_stops_when_revoked() {
    browser.open("/admin/#/tokens");
    type("token-name", "nightly export");
    browser.driver.findElement(By.cssSelector("#token-new-form button[type=submit]")).click();
    String token = browser.waitFor(d -> d.findElement(By.id("token-value"))).getDomProperty("value");
    assertThat(token).startsWith("pt_");
    WebElement row = browser.waitFor(d -> d.findElement(By.cssSelector("#tokens tr[data-token-id]")));
    assertThat(row.getText()).contains("nightly export").doesNotContain(token);
    browser.screenshot("admin-tokens");

    var bots = Await.result(browser.app.client.get("/api/bots").putHeader("Authorization", "Bearer " + token).send());
    assertThat(bots.statusCode()).isEqualTo(200);
    assertThat(bots.bodyAsJsonObject().getJsonArray("bots")).hasSize(2);
    var create = Await.result(browser.app.client.post("/api/bots").putHeader("Authorization", "Bearer " + token)
        .sendJsonObject(new JsonObject().put("name", "Not for a viewer")));
    assertThat(create.statusCode()).isEqualTo(403);

    browser.js("window.confirm = function () { return true; };");
    row.findElement(By.cssSelector("button.revoke")).click();
    browser.waitFor(d -> d.findElements(By.cssSelector("#tokens tr[data-token-id]")).isEmpty());
    assertThat(Await.result(browser.app.client.get("/api/bots").putHeader("Authorization", "Bearer " + token).send())
        .statusCode()).isEqualTo(401);
  }

  @Test
  @Order(8)
  void a_wrong_password_is_refused_without_saying_which_part_was_wrong() {
    browser.open("/admin/#/bots");
    byId("sign-out").click();
    type("signin-email", EDITOR);
    type("signin-password", "not the password at all");
    browser.driver.findElement(By.cssSelector("#signin-form button[type=submit]")).click();
    assertThat(shownError("#signin-form .error").getText()).isEqualTo("Wrong email address or password.");
    assertThat(byId("signin-password").getDomProperty("value")).isEmpty();
    type("signin-email", "nobody@example.test");
    type("signin-password", "not the password at all");
    browser.driver.findElement(By.cssSelector("#signin-form button[type=submit]")).click();
    browser.waitFor(d -> d.findElement(By.id("signin-password")).getDomProperty("value").isEmpty());
    assertThat(shownError("#signin-form .error").getText()).isEqualTo("Wrong email address or password.");
    assertThat(browser.driver.findElements(By.id("sso"))).isEmpty();
  }
}
