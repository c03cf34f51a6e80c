package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class RerankerTest {

  private static final String QUESTION = "how long do I have to return a tent";

  /** Near-duplicate passages of a help centre, with made-up first-stage scores (cosine, fused, BM25). */
  private static final List<KnowledgeIndex.Hit> CANDIDATES = List.of(
      hit("warranty", "Tents › Warranty", "Every tent has a 5 year warranty against faults in the poles.", 0.62, 0.80),
      hit("returns", "Tents › Returns", "You can return a tent within 60 days if it is unused.", 0.58, 0.70),
      hit("repairs", "Tents › Repairs", "We repair torn tent fabric for a small fee.", 0.55, 0.60),
      hit("returns", "Returns › Return windows at a glance", "Tents 60 days, packs 21 days, stoves 100 days.", 0.51,
          0.40),
      hit("stoves", "Stoves › Returns", "Return a stove within 100 days.", 0.40, 0.30));

  @Test
  void the_candidates_come_in_the_order_of_the_ranking_model_and_their_relevance_falls_down_the_list() {
    double[] cosines = new double[CANDIDATES.size()];
    double[][] features = Reranker.features(QUESTION, CANDIDATES, cosines);

    List<Reranker.Scored> ranked = Reranker.rank(QUESTION, CANDIDATES, cosines);

    List<Double> order = ranked.stream().map(s -> Relevance.order(features[CANDIDATES.indexOf(s.hit())])).toList();
    assertThat(order).isSortedAccordingTo(Comparator.reverseOrder());
    assertThat(ranked.stream().map(Reranker.Scored::relevance).toList()).isSortedAccordingTo(Comparator.reverseOrder());
    for (int i = 1; i < ranked.size(); i++) {
      assertThat(ranked.get(i).relevance()).as("a later passage has its own chance, or less")
          .isLessThanOrEqualTo(Relevance.of(features[CANDIDATES.indexOf(ranked.get(i).hit())]));
    }
  }

  @Test
  void the_first_passage_carries_the_highest_chance_among_the_candidates_which_decides_whether_the_search_abstains() {
    double[] cosines = new double[CANDIDATES.size()];
    double[][] features = Reranker.features(QUESTION, CANDIDATES, cosines);
    double highest = 0;
    for (double[] row : features) {
      highest = Math.max(highest, Relevance.of(row));
    }

    List<Reranker.Scored> ranked = Reranker.rank(QUESTION, CANDIDATES, cosines);

    assertThat(ranked.get(0).relevance()).isEqualTo(highest);
    assertThat(Reranker.keep(ranked, highest, 5)).hasSize(5);
    assertThat(Reranker.keep(ranked, Math.nextUp(highest), 5)).isEmpty();
  }

  private static KnowledgeIndex.Hit hit(String document, String heading, String content, double cosine, double bm25) {
    return new KnowledgeIndex.Hit(document, document + ".md", heading, content, 0, cosine, cosine / 60, bm25, null);
  }
}
