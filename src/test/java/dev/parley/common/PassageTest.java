package dev.parley.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** A passage reads back what it writes, in the field names of {@code parley.rag.search}. */
class PassageTest {

  private static final Passage PASSAGE = new Passage("doc_1", "Opening hours", "Saturday", "We open at 9…",
      "We open at 9 on Saturday.", 3, 0.8123, "https://example.com/hours", 0.6412);

  @Test
  void a_passage_survives_its_json() {
    assertThat(Passage.from(PASSAGE.toJson())).isEqualTo(PASSAGE);
  }

  @Test
  void a_passage_s_sentence_similarities_survive_its_json_and_stay_out_of_its_source() {
    Passage measured = PASSAGE.withSentenceSimilarities(java.util.List.of(0.7, 0.25));
    assertThat(Passage.from(measured.toJson())).isEqualTo(measured);
    assertThat(measured.toJson().getJsonArray("sentence_similarities")).containsExactly(0.7, 0.25);
    assertThat(measured.toSource().fieldNames()).doesNotContain("sentence_similarities");
  }

  @Test
  void a_search_result_has_the_wire_field_names_in_order() {
    assertThat(PASSAGE.toJson().fieldNames()).containsExactly("document_id", "document_name", "heading", "snippet",
        "text", "position", "score", "similarity", "url");
    assertThat(PASSAGE.toJson().getDouble("score")).isEqualTo(0.8123);
  }

  @Test
  void a_source_leaves_out_the_text_and_position() {
    JsonObject source = PASSAGE.toSource();
    assertThat(source.fieldNames()).containsExactlyElementsOf(Passage.SOURCE_FIELDS);
    assertThat(Passage.from(source).text()).isNull();
    assertThat(Passage.from(source).url()).isEqualTo("https://example.com/hours");
  }

  @Test
  void a_passage_without_a_url_says_so_with_null() {
    JsonObject json = PASSAGE.withUrl(null).toJson();
    assertThat(json.containsKey("url")).isTrue();
    assertThat(json.getValue("url")).isNull();
  }
}
