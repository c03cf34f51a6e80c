package dev.parley.rag;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.poi.openxml4j.util.ZipSecureFile;
import org.apache.poi.xwpf.usermodel.IBodyElement;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.apache.poi.xwpf.usermodel.XWPFParagraph;
import org.apache.poi.xwpf.usermodel.XWPFTable;
import org.apache.poi.xwpf.usermodel.XWPFTableCell;
import org.apache.poi.xwpf.usermodel.XWPFTableRow;

/**
 * Turns the bytes of a txt, md, html, pdf or docx file into {@link Block}s that keep the
 * document's headings and paragraphs (the text formats are read by {@link TextFormats}). Blocking: call from a worker thread. Every failure is an
 * {@link IngestionFailure} with a reason an operator can act on.
 */
final class Extractors {

  /** Types Parley reads, by the short name used in {@code mime} and file extensions. */
  static final Set<String> TYPES = Set.of("txt", "md", "html", "pdf", "docx");

  private Extractors() {
  }

  /** The type of a file from its name and declared content type, or null if Parley cannot read it. */
  static String typeOf(String fileName, String contentType) {
    String name = fileName == null ? "" : fileName.toLowerCase(Locale.ROOT);
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1);
    switch (ext) {
      case "txt": case "text": case "csv": case "log":
        return "txt";
      case "md": case "markdown":
        return "md";
      case "html": case "htm": case "xhtml":
        return "html";
      case "pdf":
        return "pdf";
      case "docx":
        return "docx";
      default:
        break;
    }
    String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).split(";")[0].trim();
    switch (type) {
      case "text/plain":
        return "txt";
      case "text/markdown":
        return "md";
      case "text/html": case "application/xhtml+xml":
        return "html";
      case "application/pdf":
        return "pdf";
      case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        return "docx";
      default:
        return null;
    }
  }

  static List<Block> extract(byte[] bytes, String type) {
    if (bytes == null || bytes.length == 0) {
      throw new IngestionFailure("The file is empty");
    }
    List<Block> blocks;
    switch (type) {
      case "txt":
        blocks = TextFormats.plain(text(bytes));
        break;
      case "md":
        blocks = TextFormats.markdown(text(bytes));
        break;
      case "html":
        blocks = TextFormats.html(new String(bytes, StandardCharsets.UTF_8));
        break;
      case "pdf":
        blocks = pdf(bytes);
        break;
      case "docx":
        blocks = docx(bytes);
        break;
      default:
        throw new IngestionFailure("Unsupported document type '" + type + "'");
    }
    if (blocks.stream().allMatch(b -> b.text().isBlank())) {
      throw new IngestionFailure("The document contains no text");
    }
    return blocks;
  }

  private static String text(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString().replace("\uFEFF", "");
    } catch (CharacterCodingException notUtf8) {
      if (looksBinary(bytes)) {
        throw new IngestionFailure("The file is not text");
      }
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }
  }

  /**
   * Why an uploaded file's bytes are not what its name says (a PDF without the {@code %PDF-} header in
   * its first KiB, a DOCX that is not a zip, text that is binary, a PDF or a zip), or null when they fit.
   * An empty file fits: it fails later with its own reason.
   */
  static String mismatch(byte[] bytes, String type) {
    if (bytes == null || bytes.length == 0) {
      return null;
    }
    boolean zip = bytes.length >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4;
    String head = new String(bytes, 0, Math.min(bytes.length, 1024), StandardCharsets.ISO_8859_1);
    switch (type) {
      case "pdf":
        return head.contains("%PDF-") ? null : "The file is named as a PDF but its content is not a PDF";
      case "docx":
        return zip ? null : "The file is named as a DOCX document but its content is not one";
      default:
        return zip || head.startsWith("%PDF-") || looksBinary(bytes)
            ? "The file is named as a " + type + " file but its content is binary" : null;
    }
  }

  private static boolean looksBinary(byte[] bytes) {
    int n = Math.min(bytes.length, 4096);
    int control = 0;
    for (int i = 0; i < n; i++) {
      int b = bytes[i] & 0xff;
      if (b == 0) {
        return true;
      }
      if (b < 0x09 || (b > 0x0d && b < 0x20)) {
        control++;
      }
    }
    return control > n / 10;
  }

  /** How long reading one PDF may take, checked between pages (a PDF of 100,000 tiny pages ends here). */
  static final long PDF_TIME_BUDGET_MS = 120_000;

  static List<Block> pdf(byte[] bytes) {
    return pdf(bytes, PDF_TIME_BUDGET_MS);
  }

  static List<Block> pdf(byte[] bytes, long budgetMs) {
    long deadline = System.nanoTime() + budgetMs * 1_000_000;
    try (PDDocument pdf = Loader.loadPDF(bytes)) {
      if (pdf.isEncrypted() && !pdf.getCurrentAccessPermission().canExtractContent()) {
        throw new IngestionFailure("The PDF is encrypted and does not allow text extraction");
      }
      PDFTextStripper stripper = new PDFTextStripper();
      stripper.setSortByPosition(true);
      stripper.setParagraphEnd("\n\n");
      List<Block> blocks = new ArrayList<>();
      int pages = pdf.getNumberOfPages();
      for (int page = 1; page <= pages; page++) {
        if (page > 1 && System.nanoTime() - deadline > 0) {
          throw new IngestionFailure("Reading the PDF took longer than " + budgetMs + " ms; stopped after " + (page - 1)
              + " of its " + pages + " pages");
        }
        stripper.setStartPage(page);
        stripper.setEndPage(page);
        blocks.addAll(TextFormats.plain(stripper.getText(pdf)));
      }
      return blocks;
    } catch (InvalidPasswordException locked) {
      throw new IngestionFailure("The PDF is password-protected");
    } catch (IngestionFailure failure) {
      throw failure;
    } catch (IOException | RuntimeException corrupt) {
      throw new IngestionFailure("The PDF is damaged or not a PDF");
    } catch (StackOverflowError tooDeep) {
      throw new IngestionFailure("The PDF's objects are nested too deeply to read");
    }
  }

  /**
   * Paragraphs styled {@code Heading N} or {@code Title} become headings; tables become one row
   * per paragraph. POI's zip-bomb guard ({@link ZipSecureFile}) stays at its defaults.
   */
  static List<Block> docx(byte[] bytes) {
    try (XWPFDocument doc = new XWPFDocument(new ByteArrayInputStream(bytes))) {
      List<Block> blocks = new ArrayList<>();
      for (IBodyElement element : doc.getBodyElements()) {
        if (element instanceof XWPFParagraph p) {
          String text = p.getText().strip();
          if (text.isEmpty()) {
            continue;
          }
          int level = headingLevel(p);
          blocks.add(level > 0 ? Block.heading(level, text) : Block.paragraph(text));
        } else if (element instanceof XWPFTable table) {
          for (XWPFTableRow row : table.getRows()) {
            List<String> cells = new ArrayList<>();
            for (XWPFTableCell cell : row.getTableCells()) {
              String text = cell.getText().strip();
              if (!text.isEmpty()) {
                cells.add(text);
              }
            }
            if (!cells.isEmpty()) {
              blocks.add(Block.paragraph(String.join(" | ", cells)));
            }
          }
        }
      }
      return blocks;
    } catch (IOException | RuntimeException failure) {
      if (isZipBomb(failure)) {
        throw new IngestionFailure("The DOCX file looks like a zip bomb (its content expands too much) and was refused");
      }
      throw new IngestionFailure("The DOCX file is damaged or not a DOCX document");
    }
  }

  private static boolean isZipBomb(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && (message.contains("Zip bomb") || message.contains("zip bomb")
          || message.contains("MIN_INFLATE_RATIO") || message.contains("MAX_ENTRY_SIZE"))) {
        return true;
      }
    }
    return false;
  }

  private static int headingLevel(XWPFParagraph p) {
    String style = p.getStyle();
    if (style == null) {
      String id = p.getStyleID();
      style = id;
    }
    if (style == null) {
      return 0;
    }
    String s = style.toLowerCase(Locale.ROOT).replace(" ", "");
    if (s.equals("title")) {
      return 1;
    }
    if (s.startsWith("heading") && s.length() > 7 && Character.isDigit(s.charAt(7))) {
      return Math.min(6, s.charAt(7) - '0');
    }
    return 0;
  }

  /** A short type for a document's {@code mime} column. */
  static String mimeOf(String type) {
    switch (type) {
      case "txt": return "text/plain";
      case "md": return "text/markdown";
      case "html": return "text/html";
      case "pdf": return "application/pdf";
      case "docx": return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
      default: return "application/octet-stream";
    }
  }

  /** The short type back from a {@code mime} value. */
  static String typeOfMime(String mime) {
    return typeOf(null, mime);
  }
}
