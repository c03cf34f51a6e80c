package dev.parley.rag;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * A fetched page's body: which content types are worth downloading, the announced length, and the decoding of
 * a gzip or deflate body, which never inflates past {@code max_document_bytes}.
 */
final class PageBody {

  private static final Set<String> READABLE_TYPES = Set.of("application/xhtml+xml", "application/pdf",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/xml");

  private final Vertx vertx;
  private final long maxBytes;

  PageBody(Vertx vertx, long maxBytes) {
    this.vertx = vertx;
    this.maxBytes = maxBytes;
  }

  /** Content types worth downloading: text of any kind, HTML, PDF, DOCX, XML (sitemaps), or none said. */
  static boolean readable(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return true;
    }
    String type = contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
    return type.startsWith("text/") || READABLE_TYPES.contains(type);
  }

  /** The {@code Content-Length} header's value, or -1 when it has none or not a number. */
  static long contentLength(String header) {
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.strip());
    } catch (NumberFormatException bad) {
      return -1;
    }
  }

  /** The page passed {@code max_document_bytes} ({@code when}: how, or empty). */
  IngestionFailure tooLarge(String when) {
    return new IngestionFailure("The page is larger than the limit of " + maxBytes + " bytes" + when
        + " (rag.max_document_bytes)");
  }

  /** The body as the page's bytes: inflated on a worker when it came gzip- or deflate-encoded. */
  Future<byte[]> decode(Buffer body, String encoding) {
    if (encoding.isEmpty() || encoding.equals("identity")) {
      return Future.succeededFuture(body.getBytes());
    }
    byte[] compressed = body.getBytes();
    return vertx.executeBlocking(() -> inflate(compressed, encoding), false);
  }

  /** The inflated body, stopping as soon as it passes the limit (a gzip bomb costs at most that much). */
  private byte[] inflate(byte[] compressed, String encoding) {
    boolean gzip = !encoding.equals("deflate");
    // "deflate" is meant to be zlib-wrapped, but some servers send raw deflate: the zlib header tells
    boolean zlib = compressed.length >= 2 && (compressed[0] & 0x0f) == 8
        && (((compressed[0] & 0xff) << 8) | (compressed[1] & 0xff)) % 31 == 0;
    Inflater inflater = gzip ? null : new Inflater(!zlib);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = gzip ? new GZIPInputStream(new ByteArrayInputStream(compressed), 8192)
        : new InflaterInputStream(new ByteArrayInputStream(compressed), inflater, 8192)) {
      byte[] chunk = new byte[64 * 1024];
      int read;
      while ((read = in.read(chunk)) > 0) {
        if ((long) out.size() + read > maxBytes) {
          throw tooLarge(" once decompressed");
        }
        out.write(chunk, 0, read);
      }
    } catch (ZipException | java.io.EOFException damaged) {
      throw new IngestionFailure("The page's " + encoding + " encoding is damaged");
    } catch (IOException unreadable) {
      throw new IngestionFailure("The page's " + encoding + " encoding could not be read");
    } finally {
      if (inflater != null) {
        inflater.end();
      }
    }
    return out.toByteArray();
  }
}
