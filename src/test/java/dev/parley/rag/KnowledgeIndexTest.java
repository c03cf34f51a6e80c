package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Lucene index on its own: each bot sees only its chunks, whichever way a search is run. */
class KnowledgeIndexTest {

  @TempDir
  Path folder;

  private KnowledgeIndex index;

  @BeforeEach
  void open() {
    index = KnowledgeIndex.open(folder);
  }

  @AfterEach
  void close() {
    index.release();
  }

  @Test
  void a_bot_alone_in_the_index_finds_its_chunks_in_every_mode() throws IOException {
    index.replaceDocument("bot_a", "doc_a", "a.md", List.of(entry("a1", "Refunds take five days", 1)));

    for (KnowledgeIndex.Mode mode : KnowledgeIndex.Mode.values()) {
      assertThat(index.search("bot_a", "refunds", vector(1), 5, 0.0, mode))
          .extracting(KnowledgeIndex.Hit::documentId).containsExactly("doc_a");
      assertThat(index.search("bot_b", "refunds", vector(1), 5, 0.0, mode)).isEmpty();
    }
  }

  @Test
  void bots_sharing_the_index_never_see_each_others_chunks() throws IOException {
    index.replaceDocument("bot_a", "doc_a", "a.md", List.of(entry("a1", "Refunds take five days", 1)));
    index.replaceDocument("bot_b", "doc_b", "b.md", List.of(entry("b1", "Refunds take five days", 1)));

    for (KnowledgeIndex.Mode mode : KnowledgeIndex.Mode.values()) {
      assertThat(index.search("bot_a", "refunds", vector(1), 5, 0.0, mode))
          .extracting(KnowledgeIndex.Hit::documentId).containsExactly("doc_a");
      assertThat(index.search("bot_b", "refunds", vector(1), 5, 0.0, mode))
          .extracting(KnowledgeIndex.Hit::documentId).containsExactly("doc_b");
    }
  }

  @Test
  void a_bot_left_alone_after_another_is_deleted_still_finds_only_its_own() throws IOException {
    index.replaceDocument("bot_a", "doc_a", "a.md", List.of(entry("a1", "Shipping is free over fifty euros", 2)));
    index.replaceDocument("bot_b", "doc_b", "b.md", List.of(entry("b1", "Shipping costs five euros", 2)));
    index.deleteBot("bot_b");

    assertThat(index.search("bot_a", "shipping", vector(2), 5, 0.0, KnowledgeIndex.Mode.HYBRID))
        .extracting(KnowledgeIndex.Hit::documentId).containsExactly("doc_a");
    assertThat(index.search("bot_b", "shipping", vector(2), 5, 0.0, KnowledgeIndex.Mode.HYBRID)).isEmpty();
  }

  @Test
  void hybrid_search_fuses_both_rankings_and_reports_the_cosine() throws IOException {
    // c1 matches the words, c2 the vector: hybrid finds both, each with its cosine to the query
    index.replaceDocument("bot_a", "doc_a", "a.md", List.of(
        entry("c1", "Opening hours on public holidays", 3),
        entry("c2", "Something unrelated in words", 4)));

    List<KnowledgeIndex.Hit> hits = index.search("bot_a", "holidays", vector(4), 5, 0.0, KnowledgeIndex.Mode.HYBRID);

    assertThat(hits).extracting(KnowledgeIndex.Hit::content)
        .containsExactlyInAnyOrder("Opening hours on public holidays", "Something unrelated in words");
    assertThat(hits).filteredOn(h -> h.content().startsWith("Something")).first()
        .satisfies(h -> assertThat(h.score()).isGreaterThan(0.99));
  }

  @Test
  void a_hit_carries_the_terms_of_its_heading_and_text_and_the_reranking_scores_it_as_if_it_analysed_them()
      throws IOException {
    index.replaceDocument("bot_a", "doc_a", "tents.md", List.of(
        new KnowledgeIndex.Entry("t1", 0, "Tents › Returns", "You can return a tent within 30 days.", vector(5)),
        new KnowledgeIndex.Entry("t2", 1, "Tents › Pitching", "How do I pitch the tent in wind?", vector(6))));

    List<KnowledgeIndex.Hit> hits = index.search("bot_a", "return a tent", vector(5), 5, -1.0,
        KnowledgeIndex.Mode.HYBRID);

    assertThat(hits).hasSize(2).allSatisfy(h -> assertThat(h.terms())
        .isEqualTo(dev.parley.common.Terms.analysed(h.heading() + "\n" + h.content())));
    assertThat(hits.stream().filter(h -> h.position() == 1).findFirst().orElseThrow().terms())
        .as("question words are kept with the chunk, left out when compared").contains("how", "pitch");
    List<KnowledgeIndex.Hit> analysedHere = hits.stream().map(h -> new KnowledgeIndex.Hit(h.documentId(),
        h.documentName(), h.heading(), h.content(), h.position(), h.score(), h.fused(), h.bm25(), null)).toList();
    double[] headingCosines = new double[hits.size()];
    assertThat(Reranker.features("return a tent", hits, headingCosines))
        .isDeepEqualTo(Reranker.features("return a tent", analysedHere, headingCosines));
  }

  private static KnowledgeIndex.Entry entry(String id, String text, int seed) {
    return new KnowledgeIndex.Entry(id, 0, "", text, vector(seed));
  }

  /** A unit vector of the local model's size, the same for the same seed. */
  private static float[] vector(int seed) {
    Random random = new Random(seed);
    float[] v = new float[384];
    double norm = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextGaussian();
      norm += v[i] * v[i];
    }
    for (int i = 0; i < v.length; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }
}
