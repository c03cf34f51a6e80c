package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.Main;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Item 1 of issue 11: no tag of {@code /metrics} takes its value from what a request sends, so a flood of made-up
 * methods and paths adds no series. Runs on a Vert.x built with {@link Main}'s metrics options.
 */
@ParleyTest(measured = true)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class MetricLabelsTest {

  private static final Pattern METHOD = Pattern.compile("method=\"([^\"]*)\"");
  private static final Pattern ROUTE = Pattern.compile("route=\"([^\"]*)\"");

  static TestApp app;

  private final Random random = new SecureRandom();

  @Test
  void thousands_of_made_up_methods_and_paths_add_no_series() throws Exception {
    String bot = app.createBot(new JsonObject().put("name", "Measured")).await(10, TimeUnit.SECONDS).getString("id");
    flood(app, bot, 1);
    series(app); // the first scrape's own request shows in the next one
    List<String> before = series(app);

    flood(app, bot, 400);
    List<String> after = series(app);

    List<String> added = after.stream().filter(line -> !before.contains(line)).toList();
    assertThat(added).as("series added by 2,000 made-up requests").isEmpty();
    assertThat(after).hasSameSizeAs(before);
    Set<String> methods = values(after, METHOD);
    assertThat(methods).isSubsetOf("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "OTHER");
    assertThat(methods).contains("OTHER", "GET");
    assertThat(values(after, ROUTE)).contains("unmatched").allSatisfy(route ->
        assertThat(route).doesNotContain("made-up"));
  }

  /** Per round: a made-up method on a chat route, made-up paths under each part of the site, a made-up method and path. */
  private void flood(TestApp app, String bot, int rounds) throws Exception {
    for (int round = 0; round < rounds; round++) {
      List<Future<?>> sent = new ArrayList<>();
      sent.add(app.client.request(HttpMethod.valueOf(word(20 + random.nextInt(180))), "/api/chat/" + bot).send());
      sent.add(app.client.get("/made-up/" + word(30)).send());
      sent.add(app.client.get("/api/made-up-" + word(30)).send());
      sent.add(app.client.get("/api/chat/" + bot + "/session/made-up-" + word(20)).send());
      sent.add(app.client.request(HttpMethod.valueOf(word(40)), "/made-up/" + word(30)).send());
      Future.all(sent).await(30, TimeUnit.SECONDS);
    }
  }

  private String word(int length) throws Exception {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append((char) ('A' + random.nextInt(26)));
    }
    return text.toString();
  }

  /** Each series of the scrape (a line that is not a comment), without its value. */
  private static List<String> series(TestApp app) throws Exception {
    String scrape = app.admin(HttpMethod.GET, "/metrics").send().await(30, TimeUnit.SECONDS).bodyAsString();
    return scrape.lines().filter(line -> !line.isBlank() && !line.startsWith("#"))
        .map(line -> line.substring(0, line.lastIndexOf(' '))).sorted().toList();
  }

  private static Set<String> values(List<String> series, Pattern label) {
    Set<String> values = new TreeSet<>();
    for (String line : series) {
      Matcher matcher = label.matcher(line);
      if (line.startsWith("vertx_http_server") && matcher.find()) {
        values.add(matcher.group(1));
      }
    }
    return values;
  }
}
