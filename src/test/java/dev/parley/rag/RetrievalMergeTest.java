package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The rankings of a bot's models (part-way through a re-index) fused into one. */
class RetrievalMergeTest {

  private static KnowledgeIndex.Hit hit(String doc, int position, double score, double fused) {
    return new KnowledgeIndex.Hit(doc, doc + " name", null, "text " + doc + position, position, score, fused);
  }

  @Test
  void one_model_s_ranking_is_kept_as_it_is() {
    List<KnowledgeIndex.Hit> only = List.of(hit("a", 0, 0.9, 0.03), hit("b", 1, 0.8, 0.02));
    assertThat(Retrieval.merge(List.of(only), 1)).isSameAs(only);
  }

  @Test
  void a_chunk_found_by_two_models_keeps_its_best_similarity_and_rank_once() {
    List<KnowledgeIndex.Hit> local = List.of(hit("a", 0, 0.5, 0.01), hit("b", 0, 0.7, 0.03));
    List<KnowledgeIndex.Hit> openai = List.of(hit("a", 0, 0.9, 0.02), hit("c", 2, 0.6, 0.02));
    List<KnowledgeIndex.Hit> merged = Retrieval.merge(List.of(local, openai), 3);
    assertThat(merged).extracting(KnowledgeIndex.Hit::documentId).containsExactly("b", "a", "c");
    assertThat(merged.get(1).score()).isEqualTo(0.9);
    assertThat(merged.get(1).fused()).isEqualTo(0.02);
    assertThat(Retrieval.merge(List.of(local, openai), 2)).hasSize(2);
  }

  @Test
  void a_snippet_is_one_line_cut_at_a_word() {
    assertThat(Retrieval.snippet("Opening\n\nhours   today")).isEqualTo("Opening hours today");
    String cut = Retrieval.snippet("word ".repeat(100));
    assertThat(cut).endsWith("word…").hasSizeLessThanOrEqualTo(301);
  }
}
