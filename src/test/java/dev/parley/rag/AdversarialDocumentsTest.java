package dev.parley.rag;

import static dev.parley.testing.Knowledge.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Documents shaped to make a parser do super-linear work: each is read correctly, and within the
 * class timeout (before, the heading alone took minutes: a lazy group before optional spaces and
 * hashes backtracked cubically; the others were quadratic).
 */
@Timeout(60)
class AdversarialDocumentsTest {

  @Test
  void a_markdown_heading_with_a_long_run_of_spaces_is_read_as_a_heading() {
    String spaces = " ".repeat(50_000);
    List<Block> blocks = Extractors.extract(utf8("# a" + spaces + "b ##\n\n#" + spaces + "c\u2028d\n"), "md");
    assertThat(blocks).containsExactly(Block.heading(1, "a" + spaces + "b"), Block.heading(1, "c\u2028d"));
  }

  @Test
  void unclosed_brackets_and_link_targets_stay_text_and_links_keep_their_labels() {
    String brackets = "[a ".repeat(70_000).strip();
    String targets = "[a](".repeat(50_000);
    List<Block> blocks = Extractors.extract(utf8(brackets + "\n\n" + targets + "\n\nSee [the form](http://x) and ![img](y) [z] ![w](v\n"), "md");
    assertThat(blocks).containsExactly(Block.paragraph(brackets), Block.paragraph(targets),
        Block.paragraph("See the form and img [z] ![w](v"));
  }

  @Test
  void a_list_line_with_a_long_run_of_spaces_starts_a_paragraph() {
    String spaces = " ".repeat(200_000);
    List<Block> blocks = Extractors.extract(utf8("Intro\n-" + spaces + "x\rmore\n"), "md");
    assertThat(blocks).containsExactly(Block.paragraph("Intro"), Block.paragraph("-" + spaces + "x\rmore"));
  }

  @Test
  void plain_text_with_a_long_run_of_spaces_collapses_it() {
    List<Block> blocks = Extractors.extract(utf8("a" + " \t".repeat(100_000) + "b\n  c  \n\nd"), "txt");
    assertThat(blocks).containsExactly(Block.paragraph("a b c"), Block.paragraph("d"));
  }

  @Test
  void a_very_long_word_is_cut_into_pieces_of_the_chunk_size() {
    String word = "x".repeat(20_000_000) + "yz";
    List<Chunker.Chunk> chunks = new Chunker(1_000, 0).chunk(List.of(Block.paragraph(word)));
    StringBuilder joined = new StringBuilder();
    int longest = 0;
    for (Chunker.Chunk chunk : chunks) {
      joined.append(chunk.text());
      longest = Math.max(longest, chunk.text().length());
    }
    assertThat(chunks).hasSize(20_001);
    assertThat(longest).isEqualTo(1_000);
    assertThat(chunks.get(20_000).text()).isEqualTo("yz");
    assertThat(joined.toString()).isEqualTo(word);
  }
}
