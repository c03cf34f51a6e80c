package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.UnicodeText;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where the knowledge base cuts text itself (snippets, document names, over-long words in chunks), it
 * cuts between code points: half an emoji would be a lone surrogate, stored and sent as {@code ?}.
 */
class SurrogatePairCutsTest {

  /** An odd start puts every emoji's high surrogate at an odd index, so an even cut falls inside one. */
  private static final String EMOJI_RUN = "a" + "\uD83D\uDE00".repeat(400);

  @Test
  void a_snippet_cut_without_spaces_ends_between_code_points() {
    String snippet = Retrieval.snippet(EMOJI_RUN);
    assertThat(snippet).endsWith("…").hasSizeLessThanOrEqualTo(301);
    assertThat(UnicodeText.wellFormed(snippet)).as(snippet).isTrue();
  }

  @Test
  void a_long_document_name_is_cut_between_code_points() {
    String name = DocumentRows.name(EMOJI_RUN, "fallback");
    assertThat(name).hasSizeLessThanOrEqualTo(200);
    assertThat(UnicodeText.wellFormed(name)).as(name).isTrue();
  }

  @Test
  void an_over_long_word_is_cut_into_chunks_between_code_points() {
    List<Chunker.Chunk> chunks = new Chunker(100, 0).chunk(List.of(Block.paragraph(EMOJI_RUN)));
    assertThat(chunks).hasSizeGreaterThan(1)
        .allSatisfy(chunk -> assertThat(UnicodeText.wellFormed(chunk.text())).as(chunk.text()).isTrue());
    assertThat(String.join("", chunks.stream().map(Chunker.Chunk::text).toList())).isEqualTo(EMOJI_RUN);
  }
}
