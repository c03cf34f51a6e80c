package dev.parley.rag;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.apache.poi.xwpf.usermodel.XWPFParagraph;

/** Real PDF and DOCX files made in memory for tests. */
public final class TestFiles {

  private TestFiles() {
  }

  /** A PDF with one line of text per entry, on one page. */
  public static byte[] pdf(String... lines) {
    return encryptedPdf(null, lines);
  }

  /** The same, encrypted with a user password when {@code password} is set. */
  public static byte[] encryptedPdf(String password, String... lines) {
    try (PDDocument doc = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      PDPage page = new PDPage();
      doc.addPage(page);
      try (PDPageContentStream content = new PDPageContentStream(doc, page)) {
        content.beginText();
        content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
        content.setLeading(16);
        content.newLineAtOffset(50, 720);
        for (String line : lines) {
          content.showText(line);
          content.newLine();
        }
        content.endText();
      }
      if (password != null) {
        StandardProtectionPolicy policy = new StandardProtectionPolicy("owner-" + password, password, new AccessPermission());
        policy.setEncryptionKeyLength(128);
        doc.protect(policy);
      }
      doc.save(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A DOCX with a Heading 1, then the paragraphs. */
  public static byte[] docx(String heading, String... paragraphs) {
    try (XWPFDocument doc = new XWPFDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      XWPFParagraph title = doc.createParagraph();
      title.setStyle("Heading1");
      title.createRun().setText(heading);
      for (String text : paragraphs) {
        doc.createParagraph().createRun().setText(text);
      }
      doc.write(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A valid DOCX with an extra entry of 50 MB of zeros: it inflates far beyond POI's safe ratio. */
  public static byte[] docxZipBomb() {
    return docxWithPadding(50);
  }

  /** The same with 4 MB of zeros: still far past the ratio, and small enough (a few KB) to upload. */
  public static byte[] docxZipBombSmall() {
    return docxWithPadding(4);
  }

  private static byte[] docxWithPadding(int megabytes) {
    byte[] valid = docx("Harmless", "Nothing to see here.");
    try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(valid));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ZipOutputStream out = new ZipOutputStream(bytes)) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        out.putNextEntry(new ZipEntry(entry.getName()));
        in.transferTo(out);
        out.closeEntry();
      }
      out.putNextEntry(new ZipEntry("word/media/padding.xml"));
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < megabytes; i++) {
        out.write(zeros);
      }
      out.closeEntry();
      out.finish();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
