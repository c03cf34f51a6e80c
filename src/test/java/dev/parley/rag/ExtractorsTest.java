package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExtractorsTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void plain_text_splits_paragraphs_on_blank_lines() {
    List<Block> blocks = Extractors.extract(utf8("First line\ncontinues here.\n\nSecond paragraph."), "txt");
    assertThat(blocks).containsExactly(Block.paragraph("First line continues here."), Block.paragraph("Second paragraph."));
  }

  @Test
  void markdown_keeps_headings_and_drops_markup() {
    List<Block> blocks = Extractors.extract(utf8("# Billing\n\nWe bill **monthly**.\n\n## Refunds\nSee [the form](http://x).\n"), "md");
    assertThat(blocks).containsExactly(Block.heading(1, "Billing"), Block.paragraph("We bill monthly."),
        Block.heading(2, "Refunds"), Block.paragraph("See the form."));
  }

  @Test
  void html_keeps_headings_and_paragraphs_and_drops_scripts_and_navigation() {
    String html = "<html><head><title>T</title><script>var secret=1;</script></head><body><nav>Home | About</nav>"
        + "<h1>Shipping</h1><p>We ship <b>worldwide</b>.</p><ul><li>Fast</li><li>Cheap</li></ul></body></html>";
    List<Block> blocks = Extractors.extract(utf8(html), "html");
    assertThat(blocks).containsExactly(Block.heading(1, "Shipping"), Block.paragraph("We ship worldwide."),
        Block.paragraph("Fast"), Block.paragraph("Cheap"));
  }

  @Test
  void pdf_text_is_extracted() {
    List<Block> blocks = Extractors.extract(TestFiles.pdf("Warranty terms", "The warranty lasts two years."), "pdf");
    assertThat(String.join(" ", blocks.stream().map(Block::text).toList())).contains("The warranty lasts two years.");
  }

  @Test
  void docx_heading_styles_become_headings() {
    List<Block> blocks = Extractors.extract(TestFiles.docx("Returns", "Return within 30 days."), "docx");
    assertThat(blocks).containsExactly(Block.heading(1, "Returns"), Block.paragraph("Return within 30 days."));
  }

  @Test
  void a_corrupt_pdf_fails_with_a_reason() {
    assertThatThrownBy(() -> Extractors.extract(utf8("%PDF-1.7 this is not really a pdf"), "pdf"))
        .isInstanceOf(IngestionFailure.class).hasMessageContaining("damaged");
  }

  @Test
  void an_encrypted_pdf_fails_with_a_reason() {
    assertThatThrownBy(() -> Extractors.extract(TestFiles.encryptedPdf("s3cret", "Hidden text"), "pdf"))
        .isInstanceOf(IngestionFailure.class).hasMessageContaining("password");
  }

  @Test
  void an_empty_file_fails_with_a_reason() {
    assertThatThrownBy(() -> Extractors.extract(new byte[0], "txt"))
        .isInstanceOf(IngestionFailure.class).hasMessageContaining("empty");
    assertThatThrownBy(() -> Extractors.extract(utf8("  \n\n  "), "md"))
        .isInstanceOf(IngestionFailure.class).hasMessageContaining("no text");
  }

  @Test
  void a_docx_zip_bomb_is_refused() {
    assertThatThrownBy(() -> Extractors.extract(TestFiles.docxZipBomb(), "docx"))
        .isInstanceOf(IngestionFailure.class).hasMessageContaining("zip bomb");
  }

  @Test
  void a_corrupt_docx_fails_with_a_reason() {
    assertThatThrownBy(() -> Extractors.extract(utf8("PK not a zip"), "docx"))
        .isInstanceOf(IngestionFailure.class).hasMessageContaining("damaged");
  }

  @Test
  void binary_data_is_not_text() {
    assertThatThrownBy(() -> Extractors.extract(new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe, 0, 3}, "txt"))
        .isInstanceOf(IngestionFailure.class);
  }

  @Test
  void file_types_come_from_the_extension_then_the_content_type() {
    assertThat(Extractors.typeOf("a.PDF", null)).isEqualTo("pdf");
    assertThat(Extractors.typeOf("notes.markdown", null)).isEqualTo("md");
    assertThat(Extractors.typeOf("page", "text/html; charset=utf-8")).isEqualTo("html");
    assertThat(Extractors.typeOf("image.png", "image/png")).isNull();
  }
}
