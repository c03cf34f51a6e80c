package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkerTest {

  @Test
  void sections_never_share_a_chunk_and_keep_their_heading_path() {
    List<Chunker.Chunk> chunks = new Chunker(200, 50).chunk(List.of(
        Block.heading(1, "Billing"), Block.paragraph("We bill monthly."),
        Block.heading(2, "Refunds"), Block.paragraph("Refunds take five days."),
        Block.heading(1, "Shipping"), Block.paragraph("We ship worldwide.")));
    assertThat(chunks).extracting(Chunker.Chunk::heading)
        .containsExactly("Billing", "Billing › Refunds", "Shipping");
    assertThat(chunks).extracting(Chunker.Chunk::position).containsExactly(0, 1, 2);
    assertThat(chunks.get(1).indexedText()).isEqualTo("Billing › Refunds\nRefunds take five days.");
  }

  @Test
  void small_paragraphs_are_packed_together_up_to_the_size() {
    List<Chunker.Chunk> chunks = new Chunker(120, 0).chunk(List.of(
        Block.paragraph("One short paragraph."), Block.paragraph("Another short one."),
        Block.paragraph("A third.")));
    assertThat(chunks).hasSize(1);
    assertThat(chunks.get(0).text()).isEqualTo("One short paragraph.\n\nAnother short one.\n\nA third.");
  }

  @Test
  void long_text_is_cut_between_sentences_with_overlap() {
    List<String> sentences = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      sentences.add("Sentence number " + i + " says something useful.");
    }
    List<Chunker.Chunk> chunks = new Chunker(300, 100).chunk(List.of(Block.paragraph(String.join(" ", sentences))));
    assertThat(chunks.size()).isGreaterThan(4);
    for (Chunker.Chunk chunk : chunks) {
      assertThat(chunk.text().length()).isLessThanOrEqualTo(300);
      assertThat(chunk.text()).startsWith("Sentence number").endsWith(".");
    }
    for (int i = 1; i < chunks.size(); i++) {
      String previous = chunks.get(i - 1).text();
      String lastSentence = previous.substring(previous.lastIndexOf("Sentence number"));
      String next = chunks.get(i).text();
      String firstSentence = next.substring(0, next.indexOf('.') + 1);
      assertThat(next.indexOf(lastSentence)).isBetween(0, 100); // the overlap repeats the previous chunk's end
      assertThat(previous).endsWith(previous.substring(previous.indexOf(firstSentence)));
    }
    String all = String.join(" ", chunks.stream().map(Chunker.Chunk::text).toList());
    for (String sentence : sentences) {
      assertThat(all).contains(sentence);
    }
  }

  @Test
  void an_overlong_sentence_is_cut_between_words() {
    String words = "word ".repeat(100).strip();
    List<Chunker.Chunk> chunks = new Chunker(100, 0).chunk(List.of(Block.paragraph(words)));
    assertThat(chunks).allSatisfy(c -> assertThat(c.text().length()).isLessThanOrEqualTo(100));
    assertThat(String.join(" ", chunks.stream().map(Chunker.Chunk::text).toList())).isEqualTo(words);
  }
}
