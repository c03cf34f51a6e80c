package dev.parley.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PiiRedactor} on a corpus (src/test/resources/pii): real-looking e-mail addresses, phone numbers of several
 * countries, card numbers and IBANs that must go, and look-alikes that must stay (order numbers, dates, times,
 * versions, prices, tracking numbers, numbers failing Luhn or mod 97). Prints precision and recall per kind and
 * holds them at the floors measured when it was written.
 */
class PiiRedactorTest {

  private static final Logger LOG = LoggerFactory.getLogger(PiiRedactorTest.class);
  private static final Pattern PLACEHOLDER = Pattern.compile("\\[(EMAIL|PHONE|CARD|IBAN)]");
  /** Measured on the corpus when this test was written (both 1.0); the floors leave room for one slip per kind. */
  private static final double PRECISION_FLOOR = 0.95;
  private static final double RECALL_FLOOR = 0.95;

  private record Sample(List<String> expected, String text) {
  }

  @Test
  void the_corpus_is_redacted_with_precision_and_recall_above_the_floors() throws IOException {
    Map<String, int[]> counts = new HashMap<>(); // kind → {true positives, predicted, expected}
    List<String> misses = new ArrayList<>();
    for (Sample sample : corpus("pii/positives.txt")) {
      String redacted = PiiRedactor.redact(sample.text());
      List<String> found = kinds(redacted);
      List<String> expected = new ArrayList<>(sample.expected());
      for (String kind : found) {
        count(counts, kind)[1]++;
        if (expected.remove(kind)) {
          count(counts, kind)[0]++;
        }
      }
      sample.expected().forEach(kind -> count(counts, kind)[2]++);
      if (!expected.isEmpty() || found.size() != sample.expected().size()) {
        misses.add(sample.text() + " → " + redacted);
      }
    }
    for (Sample sample : corpus("pii/lookalikes.txt")) {
      String redacted = PiiRedactor.redact(sample.text());
      kinds(redacted).forEach(kind -> count(counts, kind)[1]++);
      if (!redacted.equals(sample.text())) {
        misses.add(sample.text() + " → " + redacted);
      }
    }
    int truePositives = 0;
    int predicted = 0;
    int expected = 0;
    for (Map.Entry<String, int[]> kind : counts.entrySet()) {
      int[] c = kind.getValue();
      LOG.info("PII {}: precision {} recall {} ({} found of {} expected, {} right)", kind.getKey(),
          ratio(c[0], c[1]), ratio(c[0], c[2]), c[1], c[2], c[0]);
      truePositives += c[0];
      predicted += c[1];
      expected += c[2];
    }
    double precision = ratio(truePositives, predicted);
    double recall = ratio(truePositives, expected);
    LOG.info("PII overall: precision {} recall {}; wrong: {}", precision, recall, misses);
    assertThat(expected).as("the corpus has positives").isGreaterThan(50);
    assertThat(precision).as("precision; wrong: %s", misses).isGreaterThanOrEqualTo(PRECISION_FLOOR);
    assertThat(recall).as("recall; wrong: %s", misses).isGreaterThanOrEqualTo(RECALL_FLOOR);
    for (Map.Entry<String, int[]> kind : counts.entrySet()) {
      assertThat(ratio(kind.getValue()[0], kind.getValue()[2])).as("recall of %s", kind.getKey()).isGreaterThanOrEqualTo(0.9);
    }
  }

  @Test
  void what_surrounds_a_redaction_stays_as_it_was() {
    assertThat(PiiRedactor.redact("Mail jane.doe@example.com, call +44 20 7946 0958. Card 4111 1111 1111 1111!"))
        .isEqualTo("Mail [EMAIL], call [PHONE]. Card [CARD]!");
    assertThat(PiiRedactor.redact("IBAN DE89 3704 0044 0532 0130 00 please")).isEqualTo("IBAN [IBAN] please");
    assertThat(PiiRedactor.redact("nothing personal here")).isEqualTo("nothing personal here");
    assertThat(PiiRedactor.redact(null)).isNull();
  }

  @Test
  void a_history_is_redacted_in_a_copy() {
    JsonArray history = new JsonArray().add(new JsonObject().put("role", "user").put("content", "I am kim@example.se"));
    JsonArray redacted = PiiRedactor.redactMessages(history);
    assertThat(redacted.getJsonObject(0).getString("content")).isEqualTo("I am [EMAIL]");
    assertThat(redacted.getJsonObject(0).getString("role")).isEqualTo("user");
    assertThat(history.getJsonObject(0).getString("content")).isEqualTo("I am kim@example.se");
  }

  @Test
  void the_modes_follow_the_bot_setting_and_default_to_off() {
    assertThat(PiiRedactor.Mode.of(new JsonObject())).isEqualTo(PiiRedactor.Mode.OFF);
    assertThat(PiiRedactor.Mode.of(new JsonObject().put("redact_pii", "store")).stored()).isTrue();
    assertThat(PiiRedactor.Mode.of(new JsonObject().put("redact_pii", "store")).sentToModel()).isFalse();
    assertThat(PiiRedactor.Mode.of(new JsonObject().put("redact_pii", "model")).sentToModel()).isTrue();
    assertThat(PiiRedactor.Mode.of(new JsonObject().put("redact_pii", "bogus"))).isEqualTo(PiiRedactor.Mode.OFF);
  }

  /**
   * Inputs built to make a backtracking pattern take quadratic or exponential time: near-addresses, endless digit
   * runs and separators, almost-IBANs. Each megabyte-sized one takes well under the limit when the work is linear.
   */
  @Test
  void adversarial_inputs_take_linear_time() {
    String[] inputs = {
        "a".repeat(1_000_000) + "@",
        "a.".repeat(500_000) + "@example",
        "a@".repeat(500_000),
        "a@b.".repeat(250_000),
        "-".repeat(1_000_000) + "@x.com",
        "1".repeat(1_000_000),
        "1 ".repeat(500_000),
        "1-".repeat(500_000),
        "(1) ".repeat(250_000),
        "+1 ".repeat(333_333),
        "DE89 ".repeat(200_000),
        "DE89 3704 ".repeat(100_000),
        "x.x@x".repeat(200_000),
    };
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      for (String input : inputs) {
        long started = System.nanoTime();
        String redacted = PiiRedactor.redact(input);
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertThat(redacted).isNotNull();
        assertThat(ms).as("%s… took %d ms", input.substring(0, 12), ms).isLessThan(5_000);
      }
    });
  }

  private static List<String> kinds(String redacted) {
    List<String> kinds = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(redacted);
    while (m.find()) {
      kinds.add(m.group(1));
    }
    return kinds;
  }

  private static int[] count(Map<String, int[]> counts, String kind) {
    return counts.computeIfAbsent(kind, k -> new int[3]);
  }

  private static double ratio(int part, int whole) {
    return whole == 0 ? 1.0 : Math.round(1000.0 * part / whole) / 1000.0;
  }

  private static List<Sample> corpus(String resource) throws IOException {
    try (InputStream in = PiiRedactorTest.class.getClassLoader().getResourceAsStream(resource)) {
      List<Sample> samples = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int tab = line.indexOf('\t');
        samples.add(tab < 0 ? new Sample(List.of(), line) : new Sample(List.of(line.substring(0, tab).split(",")),
            line.substring(tab + 1)));
      }
      return samples;
    }
  }
}
