package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retrieval quality on the harder help centre of issue 16 (src/test/resources/eval/helpdesk: a fictional
 * outdoor shop whose documents cover the same products several times — warranty, returns, repairs, care —
 * and look-alike policies with different numbers, and customer questions, some of which the documents do not
 * answer). Logs, per search mode, recall@1 and recall@5 by document and by section, MRR, how often the
 * expected fact is in the first passage and in the first five, and for the unanswerable questions how many
 * would abstain at several score floors, with what recall@5 becomes at each. docs/retrieval.md has the numbers.
 */
class HelpdeskEvalTest {

  private static final Logger LOG = LoggerFactory.getLogger(HelpdeskEvalTest.class);
  static final String DOCS = "/eval/helpdesk";
  private static final int TOP_K = 5;
  private static final double[] THRESHOLDS = {0.2, 0.3, 0.4, 0.5, 0.6};

  // The targets of issue 16 are recall@1 >= 0.90, recall@5 >= 0.97 and at least 80 % of the unanswerable
  // questions abstaining while recall@5 holds. They are NOT met yet: these floors hold the baseline measured
  // before any retrieval change (docs/retrieval.md), a little under it, so that nothing gets worse meanwhile.
  static final double HYBRID_RECALL_AT_1_FLOOR = 0.83; // measured 0.849
  static final double HYBRID_RECALL_AT_5_FLOOR = 0.97; // measured 0.980
  static final double HYBRID_SECTION_RECALL_AT_1_FLOOR = 0.74; // measured 0.756
  static final double HYBRID_SECTION_RECALL_AT_5_FLOOR = 0.93; // measured 0.941
  static final double HYBRID_MRR_FLOOR = 0.88; // measured 0.897
  static final double HYBRID_FACT_AT_5_FLOOR = 0.93; // measured 0.946

  /** A question; document, heading and expected are null when the documents do not answer it. */
  record Question(String text, String document, String heading, String expected) {
    boolean answerable() {
      return document != null;
    }
  }

  /** The measures of one mode over the answerable questions. */
  record Scores(double recallAt1, double recallAt5, double sectionAt1, double sectionAt5, double mrr,
      double sectionMrr, double factAt1, double factAt5) {
  }

  @TempDir
  static Path folder;

  static EvalIndex eval;
  static final List<Question> answerable = new ArrayList<>();
  static final List<Question> unanswerable = new ArrayList<>();
  /** Document → heading → the section's text, read from the Markdown. */
  static final Map<String, Map<String, String>> sections = new LinkedHashMap<>();

  @BeforeAll
  static void build() throws IOException, URISyntaxException {
    eval = EvalIndex.build(folder, DOCS);
    for (Path file : EvalIndex.files(DOCS)) {
      sections.put(EvalIndex.slug(file), sections(Files.readString(file)));
    }
    for (Question q : questions()) {
      (q.answerable() ? answerable : unanswerable).add(q);
    }
  }

  /** The questions of the set, in file order. */
  static List<Question> questions() throws IOException {
    List<Question> questions = new ArrayList<>();
    for (String[] row : EvalIndex.rows(DOCS + "/questions.tsv")) {
      questions.add(row[1].equals("-") ? new Question(row[0], null, null, null)
          : new Question(row[0], row[1], row[2], row[3]));
    }
    return questions;
  }

  @AfterAll
  static void close() {
    eval.release();
  }

  @Test
  void the_set_has_its_shape_and_every_expected_fact_is_in_its_section() {
    assertThat(sections).hasSizeGreaterThanOrEqualTo(40);
    sections.forEach((doc, headings) -> assertThat(headings).as(doc).hasSizeBetween(3, 6));
    assertThat(answerable).hasSizeGreaterThanOrEqualTo(150);
    assertThat(unanswerable).hasSizeGreaterThanOrEqualTo(30);
    for (Question q : answerable) {
      assertThat(sections).as(q.text()).containsKey(q.document());
      assertThat(sections.get(q.document())).as(q.text()).containsKey(q.heading());
      assertThat(containsFact(sections.get(q.document()).get(q.heading()), q.expected()))
          .as("'%s' in %s › %s", q.expected(), q.document(), q.heading()).isTrue();
    }
  }

  @Test
  void retrieval_is_measured_and_holds_its_baseline() throws IOException {
    Map<String, float[]> vectors = new HashMap<>();
    for (Question q : answerable) {
      vectors.put(q.text(), eval.embed(q.text()));
    }
    for (Question q : unanswerable) {
      vectors.put(q.text(), eval.embed(q.text()));
    }
    Map<KnowledgeIndex.Mode, Scores> byMode = new LinkedHashMap<>();
    for (KnowledgeIndex.Mode mode : KnowledgeIndex.Mode.values()) {
      Map<Question, List<KnowledgeIndex.Hit>> found = candidates(answerable, vectors, mode);
      Scores s = measure(found, -1.0);
      byMode.put(mode, s);
      LOG.info(String.format(Locale.ROOT, "Helpdesk eval (%d answerable): %-6s document recall@1=%.3f recall@5=%.3f"
          + " MRR=%.3f | section recall@1=%.3f recall@5=%.3f MRR=%.3f | fact in top-1=%.3f in top-5=%.3f",
          answerable.size(), mode, s.recallAt1(), s.recallAt5(), s.mrr(), s.sectionAt1(), s.sectionAt5(),
          s.sectionMrr(), s.factAt1(), s.factAt5()));
      if (mode != KnowledgeIndex.Mode.BM25) {
        logAbstention(mode, found, candidates(unanswerable, vectors, mode));
      }
    }
    Scores hybrid = byMode.get(KnowledgeIndex.Mode.HYBRID);
    assertThat(hybrid.recallAt1()).isGreaterThanOrEqualTo(HYBRID_RECALL_AT_1_FLOOR);
    assertThat(hybrid.recallAt5()).isGreaterThanOrEqualTo(HYBRID_RECALL_AT_5_FLOOR);
    assertThat(hybrid.sectionAt1()).isGreaterThanOrEqualTo(HYBRID_SECTION_RECALL_AT_1_FLOOR);
    assertThat(hybrid.sectionAt5()).isGreaterThanOrEqualTo(HYBRID_SECTION_RECALL_AT_5_FLOOR);
    assertThat(hybrid.mrr()).isGreaterThanOrEqualTo(HYBRID_MRR_FLOOR);
    assertThat(hybrid.factAt5()).isGreaterThanOrEqualTo(HYBRID_FACT_AT_5_FLOOR);
  }

  /** Every question's ranked candidates, unfiltered, so that a score floor can be applied afterwards. */
  private static Map<Question, List<KnowledgeIndex.Hit>> candidates(List<Question> questions, Map<String, float[]> vectors,
      KnowledgeIndex.Mode mode) throws IOException {
    Map<Question, List<KnowledgeIndex.Hit>> found = new LinkedHashMap<>();
    for (Question q : questions) {
      found.put(q, eval.search(q.text(), vectors.get(q.text()), KnowledgeIndex.CANDIDATES, mode));
    }
    return found;
  }

  /** What a search with {@code minScore} returns: the ranking without the passages under it, cut at top_k. */
  private static List<KnowledgeIndex.Hit> above(List<KnowledgeIndex.Hit> ranked, double minScore) {
    return ranked.stream().filter(h -> h.score() >= minScore).limit(TOP_K).toList();
  }

  private static Scores measure(Map<Question, List<KnowledgeIndex.Hit>> found, double minScore) {
    double[] sums = new double[8];
    found.forEach((q, ranked) -> {
      List<KnowledgeIndex.Hit> hits = above(ranked, minScore);
      int document = -1;
      int section = -1;
      for (int i = 0; i < hits.size(); i++) {
        KnowledgeIndex.Hit h = hits.get(i);
        if (document < 0 && h.documentId().equals(q.document())) {
          document = i;
        }
        if (section < 0 && h.documentId().equals(q.document()) && sectionOf(h).equals(q.heading())) {
          section = i;
        }
      }
      sums[0] += document == 0 ? 1 : 0;
      sums[1] += document >= 0 ? 1 : 0;
      sums[2] += section == 0 ? 1 : 0;
      sums[3] += section >= 0 ? 1 : 0;
      sums[4] += document >= 0 ? 1.0 / (document + 1) : 0;
      sums[5] += section >= 0 ? 1.0 / (section + 1) : 0;
      sums[6] += !hits.isEmpty() && containsFact(hits.get(0).content(), q.expected()) ? 1 : 0;
      sums[7] += hits.stream().anyMatch(h -> containsFact(h.content(), q.expected())) ? 1 : 0;
      if (section != 0) {
        LOG.debug("section missed at 1: '{}' (expected {} › {}, got {})", q.text(), q.document(), q.heading(),
            hits.stream().map(h -> h.documentId() + " › " + sectionOf(h)).toList());
      }
    });
    double n = found.size();
    return new Scores(sums[0] / n, sums[1] / n, sums[2] / n, sums[3] / n, sums[4] / n, sums[5] / n, sums[6] / n,
        sums[7] / n);
  }

  /** For each score floor: how many unanswerable questions get no passage, and the recall@5 that is left. */
  private static void logAbstention(KnowledgeIndex.Mode mode, Map<Question, List<KnowledgeIndex.Hit>> answered,
      Map<Question, List<KnowledgeIndex.Hit>> unanswered) {
    LOG.info(String.format(Locale.ROOT, "Helpdesk eval %-6s best score: answerable median %.3f min %.3f;"
        + " unanswerable median %.3f max %.3f", mode, median(best(answered)), best(answered)[0],
        median(best(unanswered)), best(unanswered)[best(unanswered).length - 1]));
    for (double threshold : THRESHOLDS) {
      long abstained = unanswered.values().stream().filter(hits -> above(hits, threshold).isEmpty()).count();
      Scores kept = measure(answered, threshold);
      LOG.info(String.format(Locale.ROOT, "Helpdesk eval %-6s min_score %.2f: %d of %d unanswerable abstain (%.0f %%),"
          + " document recall@5=%.3f, section recall@5=%.3f", mode, threshold, abstained, unanswered.size(),
          100.0 * abstained / unanswered.size(), kept.recallAt5(), kept.sectionAt5()));
    }
  }

  /** Each question's best passage score, sorted. */
  private static double[] best(Map<Question, List<KnowledgeIndex.Hit>> found) {
    return found.values().stream()
        .mapToDouble(hits -> hits.stream().mapToDouble(KnowledgeIndex.Hit::score).max().orElse(-1.0))
        .sorted().toArray();
  }

  private static double median(double[] sorted) {
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
  }

  /** The last part of a passage's heading path: the section it belongs to. */
  static String sectionOf(KnowledgeIndex.Hit hit) {
    String heading = hit.heading() == null ? "" : hit.heading();
    int cut = heading.lastIndexOf(Chunker.HEADING_SEPARATOR);
    return cut < 0 ? heading : heading.substring(cut + Chunker.HEADING_SEPARATOR.length());
  }

  /** The {@code ##} sections of a Markdown document, heading → text. */
  static Map<String, String> sections(String markdown) {
    Map<String, String> out = new LinkedHashMap<>();
    String heading = null;
    StringBuilder text = new StringBuilder();
    for (String line : (markdown + "\n## ").split("\n")) {
      if (line.startsWith("## ")) {
        if (heading != null) {
          out.put(heading, text.toString().strip());
        }
        heading = line.substring(3).strip();
        text.setLength(0);
      } else if (heading != null) {
        text.append(line).append('\n');
      }
    }
    return out;
  }

  /**
   * Whether the fact occurs in the text as a whole term, ignoring case: "£6" is not found in "£6.50" nor
   * "5 working days" in "15 working days".
   */
  static boolean containsFact(String text, String fact) {
    String t = text.toLowerCase(Locale.ROOT);
    String f = fact.toLowerCase(Locale.ROOT);
    for (int i = t.indexOf(f); i >= 0; i = t.indexOf(f, i + 1)) {
      int end = i + f.length();
      boolean before = i == 0 || !Character.isLetterOrDigit(t.charAt(i - 1));
      boolean after = end == t.length() || !Character.isLetterOrDigit(t.charAt(end))
          && !((t.charAt(end) == '.' || t.charAt(end) == ',') && end + 1 < t.length() && Character.isDigit(t.charAt(end + 1)));
      if (before && after) {
        return true;
      }
    }
    return false;
  }
}
