package dev.parley.rag;

import static dev.parley.testing.Knowledge.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExtractorsTest {

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

  // ---- catalogue §3, uploads (cases 41, 45, 46, 47)

  /** Case 41: the bytes must be what the name says; an empty file is left to fail with its own reason. */
  @Test
  void content_that_does_not_match_the_file_type_is_told_apart() {
    byte[] html = utf8("<html><body><script>alert(1)</script></body></html>");
    byte[] pdf = TestFiles.pdf("A real PDF");
    byte[] docx = TestFiles.docx("A real DOCX");
    assertThat(Extractors.mismatch(html, "pdf")).isEqualTo("The file is named as a PDF but its content is not a PDF");
    assertThat(Extractors.mismatch(docx, "pdf")).isNotNull();
    assertThat(Extractors.mismatch(pdf, "docx")).isEqualTo("The file is named as a DOCX document but its content is not one");
    assertThat(Extractors.mismatch(pdf, "txt")).isEqualTo("The file is named as a txt file but its content is binary");
    assertThat(Extractors.mismatch(docx, "md")).isNotNull();
    assertThat(Extractors.mismatch(new byte[] {0, 1, 2, 3, 4}, "html")).isNotNull();
    assertThat(Extractors.mismatch(pdf, "pdf")).isNull();
    assertThat(Extractors.mismatch(docx, "docx")).isNull();
    assertThat(Extractors.mismatch(html, "html")).isNull();
    assertThat(Extractors.mismatch(utf8("Notes about the %PDF-1.7 format."), "txt")).isNull();
    assertThat(Extractors.mismatch(new byte[0], "pdf")).isNull();
  }

  /** Case 47: a PDF with no text layer (a scan) fails with a reason, not an empty document. */
  @Test
  void a_pdf_without_text_fails_with_a_reason() {
    assertThatThrownBy(() -> Extractors.extract(TestFiles.pdf(), "pdf"))
        .isInstanceOf(IngestionFailure.class).hasMessage("The document contains no text");
  }

  /** Case 45: reading stops at the time budget, checked between pages. */
  @Test
  void reading_a_pdf_stops_at_its_time_budget() {
    byte[] manual = TestFiles.pages(3);
    assertThat(Extractors.pdf(manual, 60_000)).hasSize(3);
    assertThatThrownBy(() -> Extractors.pdf(manual, 0)).isInstanceOf(IngestionFailure.class)
        .hasMessage("Reading the PDF took longer than 0 ms; stopped after 1 of its 3 pages");
  }

  /** Case 45: objects nested fifty thousand deep neither overflow the stack nor yield text. */
  @Test
  void a_pdf_nested_deeply_fails_cleanly() {
    assertThat(Extractors.extract(TestFiles.nestedPdf(10, "Shallow nesting is fine"), "pdf"))
        .extracting(Block::text).containsExactly("Shallow nesting is fine");
    assertThatThrownBy(() -> Extractors.extract(TestFiles.nestedPdf(50_000, "Deep nesting"), "pdf"))
        .isInstanceOf(IngestionFailure.class);
  }

  /** Case 46: external entities are never resolved, in a DOCX, an HTML page or a sitemap. */
  @Test
  void external_entities_are_never_resolved() throws Exception {
    String passwd = java.nio.file.Files.readString(java.nio.file.Path.of("/etc/passwd"));
    assertThat(passwd).contains("root:");
    assertThatThrownBy(() -> Extractors.extract(TestFiles.docxWithExternalEntity("file:///etc/passwd"), "docx"))
        .isInstanceOf(IngestionFailure.class).hasMessage("The DOCX file is damaged or not a DOCX document");
    List<Block> html = Extractors.extract(utf8("<!DOCTYPE html [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
        + "<html><body><p>Before &xxe; after.</p></body></html>"), "html");
    assertThat(html).extracting(Block::text).noneMatch(text -> text.contains("root:"));
    Sitemaps.Listing sitemap = Sitemaps.parse(new UrlFetcher.Page("https://example.com/sitemap.xml", "application/xml",
        utf8("<?xml version=\"1.0\"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
            + "<urlset><url><loc>https://example.com/&xxe;</loc></url></urlset>")));
    assertThat(sitemap.pages()).hasSize(1).noneMatch(loc -> loc.contains("root:"));
  }
}
