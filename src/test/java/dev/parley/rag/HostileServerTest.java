package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Knowledge;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Catalogue §3 case 60, through the API: a raw TCP server on loopback ({@code rag.allow_private_urls}
 * on, any port) plays hostile web servers, each answering one path. Every hostile document must end
 * {@code failed} with a reason that says what happened, while a well-behaved page added to the same
 * bot at the same time is indexed as usual. Where the hostile server would send without end, the test
 * also checks that Parley dropped the connection and took only a bounded number of bytes, which is
 * what keeps its heap flat.
 */
@ParleyTest
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class HostileServerTest {

  static final int LIMIT = 256 * 1024;
  /** Far more than the limit plus the socket buffers of both sides, far less than "without end". */
  static final long BOUNDED = 16L * 1024 * 1024;
  static final String GOOD_HTML = "<html><head><title>Lighthouse</title></head><body><h1>Lighthouse</h1><p>The keeper "
      + "polishes the lighthouse lens every Tuesday at dawn.</p></body></html>";

  static TestApp app;
  static int port;
  static final Map<String, Served> served = new ConcurrentHashMap<>();
  static final Queue<String> paths = new ConcurrentLinkedQueue<>();
  static final AtomicInteger okCount = new AtomicInteger();

  /** What the hostile server saw of one path. */
  static final class Served {
    final AtomicLong bytes = new AtomicLong();
    final AtomicInteger requests = new AtomicInteger();
    volatile boolean closed;
    volatile String head;
  }

  @ParleyConfig
  static Future<JsonObject> config(Vertx vertx) {
    assertThat(Bombs.GZIP_BOMB).isNotEmpty(); // made here, not on the server's event loop
    return vertx.createNetServer().connectHandler(socket -> {
      Buffer head = Buffer.buffer();
      boolean[] answered = {false};
      socket.handler(data -> {
        if (answered[0]) {
          return;
        }
        head.appendBuffer(data);
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
          return;
        }
        answered[0] = true;
        String target = text.substring(0, text.indexOf("\r\n")).split(" ")[1];
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        paths.add(path);
        Served s = served.computeIfAbsent(path, p -> new Served());
        s.requests.incrementAndGet();
        s.head = text.substring(0, end);
        socket.closeHandler(v -> s.closed = true);
        answer(vertx, socket, path, s);
      });
    }).listen(0, "127.0.0.1").map(server -> {
      port = server.actualPort();
      return new JsonObject().put("rag", new JsonObject()
          .put("allow_private_urls", true).put("allowed_url_ports", new JsonArray())
          .put("max_document_bytes", LIMIT).put("fetch_timeout_ms", 3_000).put("fetch_idle_timeout_ms", 1_000)
          .put("max_sitemap_pages", 5).put("max_sitemap_files", 3));
    });
  }

  // ---------------------------------------------------------------- the hostile server

  static void answer(Vertx vertx, NetSocket socket, String path, Served s) {
    switch (path) {
      case "/ok":
        socket.write(response("text/html; charset=utf-8", null, GOOD_HTML.getBytes(StandardCharsets.UTF_8)));
        break;
      case "/endless":
        socket.write(head("text/plain", -1, null));
        endless(socket, s, Buffer.buffer("all work and no play makes a dull server ".repeat(1600)));
        break;
      case "/announced":
        socket.write(head("text/plain", 5L * 1024 * 1024 * 1024, null));
        endless(socket, s, Buffer.buffer("x".repeat(65536)));
        break;
      case "/image.png":
        socket.write(head("image/png", -1, null));
        endless(socket, s, Buffer.buffer(new byte[65536]));
        break;
      case "/manual.pdf":
        socket.write(response("application/octet-stream", null, "%PDF-1.4 not really".getBytes(StandardCharsets.UTF_8)));
        break;
      case "/drip":
        socket.write(head("text/plain", -1, null));
        drip(vertx, socket, s, 2_500);
        break;
      case "/trickle":
        socket.write(head("text/plain", -1, null));
        drip(vertx, socket, s, 150);
        break;
      case "/short":
        socket.write(head("text/plain", 5_000, null) + "Only a hundred of the five thousand bytes announced. ".repeat(2)
            .substring(0, 100)).onComplete(done -> socket.close());
        break;
      case "/long": {
        String page = "The tide table is printed on the harbour wall.";
        String smuggled = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 26\r\n\r\nSMUGGLED marmalade recipe.";
        socket.write(head("text/plain", page.length(), null) + page + smuggled);
        break;
      }
      case "/bomb":
        socket.write(response("text/plain", "gzip", Bombs.GZIP_BOMB));
        break;
      case "/gzipped":
        socket.write(response("text/html", "gzip", gzip(("<html><head><title>Compressed</title></head><body><p>The ferry "
            + "to the island leaves from pier nine every hour.</p></body></html>").getBytes(StandardCharsets.UTF_8))));
        break;
      case "/deflated": {
        java.util.zip.Deflater deflater = new java.util.zip.Deflater();
        deflater.setInput(("<html><head><title>Deflated</title></head><body><p>The cable car to the summit runs "
            + "until six.</p></body></html>").getBytes(StandardCharsets.UTF_8));
        deflater.finish();
        byte[] out = new byte[4096];
        int n = deflater.deflate(out);
        deflater.end();
        socket.write(response("text/html", "deflate", java.util.Arrays.copyOf(out, n)));
        break;
      }
      case "/silent":
        break; // reads the request, never answers
      case "/brotli":
        socket.write(response("text/html", "br", new byte[] {0x1b, 0x03, 0x00}));
        break;
      case "/huge-sitemap.xml":
        socket.write(head("application/xml", -1, null) + "<?xml version=\"1.0\"?><urlset "
            + "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">");
        endless(socket, s, Buffer.buffer(("<url><loc>http://127.0.0.1:" + port + "/p/x</loc></url>").repeat(1000)));
        break;
      case "/many-sitemap.xml": {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/"
            + "sitemap/0.9\">");
        for (int i = 0; i < 5_000; i++) {
          xml.append("<url><loc>/p/").append(i).append("</loc></url>");
        }
        socket.write(response("application/xml", null, xml.append("</urlset>").toString().getBytes(StandardCharsets.UTF_8)));
        break;
      }
      case "/deep.xml": {
        String nest = "<x>".repeat(20_000) + "</x>".repeat(20_000);
        socket.write(response("application/xml", null, ("<urlset>" + nest + "<url><loc>/p/deep</loc></url></urlset>")
            .getBytes(StandardCharsets.UTF_8)));
        break;
      }
      default:
        if (path.startsWith("/index")) {
          // an index of a thousand indexes, each of a thousand more
          StringBuilder xml = new StringBuilder("<sitemapindex>");
          for (int i = 0; i < 1_000; i++) {
            xml.append("<sitemap><loc>").append(path.replace(".xml", "")).append('-').append(i).append(".xml</loc></sitemap>");
          }
          socket.write(response("application/xml", null, xml.append("</sitemapindex>").toString()
              .getBytes(StandardCharsets.UTF_8)));
        } else if (path.startsWith("/p/")) {
          socket.write(response("text/plain", null, ("Catalogue entry " + path.substring(3) + " describes one brass "
              + "telescope.").getBytes(StandardCharsets.UTF_8)));
        } else {
          socket.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        }
    }
  }

  static String head(String type, long length, String encoding) {
    return "HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\n"
        + (length >= 0 ? "Content-Length: " + length + "\r\n" : "Connection: close\r\n")
        + (encoding == null ? "" : "Content-Encoding: " + encoding + "\r\n") + "\r\n";
  }

  static Buffer response(String type, String encoding, byte[] body) {
    return Buffer.buffer(head(type, body.length, encoding)).appendBytes(body);
  }

  /**
   * Writes {@code chunk} as fast as the peer reads, until it goes away. Writes go in rounds that give
   * the event loop back: writes to a socket the peer closed never fill its queue, so a loop that waited
   * for that would spin forever without letting the close handler run.
   */
  static void endless(NetSocket socket, Served s, Buffer chunk) {
    for (int i = 0; i < 64 && !s.closed && !socket.writeQueueFull(); i++) {
      socket.write(chunk);
      s.bytes.addAndGet(chunk.length());
    }
    if (s.closed) {
      return;
    }
    if (socket.writeQueueFull()) {
      socket.drainHandler(v -> endless(socket, s, chunk));
    } else {
      Vertx.currentContext().runOnContext(v -> endless(socket, s, chunk));
    }
  }

  /** One byte every {@code everyMs}, until the peer goes away. */
  static void drip(Vertx vertx, NetSocket socket, Served s, long everyMs) {
    vertx.setPeriodic(everyMs, timer -> {
      if (s.closed) {
        vertx.cancelTimer(timer);
      } else {
        socket.write("z");
        s.bytes.incrementAndGet();
      }
    });
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** 32 MiB of spaces, gzipped to about 32 KiB. */
  static final class Bombs {
    static final byte[] GZIP_BOMB = bomb();

    private static byte[] bomb() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] spaces = " ".repeat(1024 * 1024).getBytes(StandardCharsets.US_ASCII);
      try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
        for (int i = 0; i < 32; i++) {
          zip.write(spaces);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toByteArray();
    }
  }

  // ---------------------------------------------------------------- helpers

  static String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  static Future<JsonObject> add(String botId, String url) {
    return app.admin(HttpMethod.POST, "/api/bots/" + botId + "/documents")
        .sendJsonObject(new JsonObject().put("url", url))
        .map(response -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
          return response.bodyAsJsonObject().getJsonArray("documents").getJsonObject(0);
        });
  }

  /**
   * Adds the hostile URL and a good page to a new bot at once; the good page must become ready and
   * searchable whatever the hostile one does. The hostile document once settled.
   */
  static Future<JsonObject> hostile(String path) {
    String okUrl = url("/ok?n=" + okCount.incrementAndGet());
    return Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String botId = bot.getString("id");
      return Future.all(add(botId, url(path)), add(botId, okUrl)).compose(added -> Future.all(
              Knowledge.settled(app, botId, added.<JsonObject>resultAt(0).getString("id")),
              Knowledge.settled(app, botId, added.<JsonObject>resultAt(1).getString("id"))))
          .compose(settled -> {
            JsonObject ok = settled.resultAt(1);
            assertThat(ok.getString("status")).as(ok.encode()).isEqualTo("ready");
            return Knowledge.search(app, botId, "when is the lighthouse lens polished").map(found -> {
              assertThat(found.encode()).contains("polishes the lighthouse lens");
              return settled.<JsonObject>resultAt(0).put("bot_id", botId);
            });
          });
    });
  }

  static void assertFailed(JsonObject doc, String reason) {
    assertThat(doc.getString("status")).as(doc.encode()).isEqualTo("failed");
    assertThat(doc.getString("error")).isEqualTo(reason);
    assertThat(doc.getInteger("chunks_total", 0)).isZero();
  }

  /** Waits until the hostile server saw the client close the connection of {@code path}. */
  static Future<Served> closed(String path) {
    Promise<Served> result = Promise.promise();
    poll(path, result, 0);
    return result.future();
  }

  private static void poll(String path, Promise<Served> result, int attempt) {
    Served s = served.get(path);
    if (s != null && s.closed) {
      result.complete(s);
    } else if (attempt > 200) {
      result.fail("Parley never closed the connection of " + path);
    } else {
      app.vertx.setTimer(50, t -> poll(path, result, attempt + 1));
    }
  }

  static final String TOO_LARGE = "The page is larger than the limit of " + LIMIT + " bytes (rag.max_document_bytes)";

  // ---------------------------------------------------------------- size

  @Test
  void an_endless_body_is_cut_at_the_size_limit(VertxTestContext test) {
    hostile("/endless").compose(doc -> {
      assertFailed(doc, TOO_LARGE);
      return closed("/endless");
    }).onComplete(test.succeeding(s -> test.verify(() -> {
      assertThat(s.bytes.get()).as("bytes the server got rid of").isGreaterThan(LIMIT).isLessThan(BOUNDED);
      test.completeNow();
    })));
  }

  @Test
  void a_content_length_over_the_limit_is_refused_before_the_body_is_read(VertxTestContext test) {
    hostile("/announced").compose(doc -> {
      assertFailed(doc, "The page announces 5368709120 bytes, more than the limit of " + LIMIT
          + " bytes (rag.max_document_bytes)");
      return closed("/announced");
    }).onComplete(test.succeeding(s -> test.verify(() -> {
      assertThat(s.bytes.get()).isLessThan(BOUNDED);
      test.completeNow();
    })));
  }

  @Test
  void a_gzip_bomb_is_cut_at_the_limit_once_inflated(VertxTestContext test) {
    hostile("/bomb").onComplete(test.succeeding(doc -> test.verify(() -> {
      assertThat(Bombs.GZIP_BOMB.length).as("compressed size").isLessThan(LIMIT);
      assertFailed(doc, "The page is larger than the limit of " + LIMIT + " bytes once decompressed "
          + "(rag.max_document_bytes)");
      assertThat(served.get("/bomb").head).containsIgnoringCase("Accept-Encoding: gzip, deflate");
      test.completeNow();
    })));
  }

  @Test
  void a_gzipped_page_is_inflated_and_indexed(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject()).compose(bot -> add(bot.getString("id"), url("/gzipped"))
        .compose(doc -> Knowledge.settled(app, bot.getString("id"), doc.getString("id")))
        .compose(doc -> {
          assertThat(doc.getString("status")).as(doc.encode()).isEqualTo("ready");
          assertThat(doc.getString("name")).isEqualTo("Compressed");
          return Knowledge.search(app, bot.getString("id"), "when does the ferry leave");
        }))
        .onComplete(test.succeeding(found -> test.verify(() -> {
          assertThat(found.encode()).contains("pier nine");
          test.completeNow();
        })));
  }

  @Test
  void a_deflated_page_is_inflated_and_indexed(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject()).compose(bot -> add(bot.getString("id"), url("/deflated"))
        .compose(doc -> Knowledge.settled(app, bot.getString("id"), doc.getString("id")))
        .compose(doc -> {
          assertThat(doc.getString("status")).as(doc.encode()).isEqualTo("ready");
          assertThat(doc.getString("name")).isEqualTo("Deflated");
          return Knowledge.search(app, bot.getString("id"), "how late does the cable car run");
        }))
        .onComplete(test.succeeding(found -> test.verify(() -> {
          assertThat(found.encode()).contains("until six");
          test.completeNow();
        })));
  }

  @Test
  void an_encoding_parley_does_not_read_is_refused(VertxTestContext test) {
    hostile("/brotli").onComplete(test.succeeding(doc -> test.verify(() -> {
      assertFailed(doc, "The page is encoded as 'br', which Parley does not read");
      test.completeNow();
    })));
  }

  // ---------------------------------------------------------------- time

  @Test
  void a_server_that_goes_quiet_hits_the_idle_timeout(VertxTestContext test) {
    hostile("/drip").compose(doc -> {
      assertFailed(doc, "The server sent nothing for 1000 ms (rag.fetch_idle_timeout_ms)");
      return closed("/drip");
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_server_that_never_answers_hits_the_idle_timeout(VertxTestContext test) {
    hostile("/silent").compose(doc -> {
      assertFailed(doc, "The server sent nothing for 1000 ms (rag.fetch_idle_timeout_ms)");
      return closed("/silent");
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_server_that_trickles_hits_the_total_timeout(VertxTestContext test) {
    hostile("/trickle").compose(doc -> {
      assertFailed(doc, "The URL took longer than 3000 ms to fetch (rag.fetch_timeout_ms)");
      return closed("/trickle");
    }).onComplete(test.succeeding(s -> test.verify(() -> {
      assertThat(s.bytes.get()).as("bytes trickled before the cut").isPositive();
      test.completeNow();
    })));
  }

  // ---------------------------------------------------------------- Content-Length lies

  @Test
  void a_body_shorter_than_its_content_length_fails(VertxTestContext test) {
    hostile("/short").onComplete(test.succeeding(doc -> test.verify(() -> {
      assertFailed(doc, "The server closed the connection before the whole page arrived");
      test.completeNow();
    })));
  }

  /**
   * Bytes past the announced length are not part of the page (HTTP reads exactly Content-Length) and,
   * since connections are never reused, cannot answer the next fetch either.
   */
  @Test
  void bytes_past_the_content_length_are_neither_read_nor_served_to_the_next_fetch(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String botId = bot.getString("id");
      return add(botId, url("/long"))
          .compose(doc -> Knowledge.settled(app, botId, doc.getString("id")))
          .compose(doc -> {
            assertThat(doc.getString("status")).as(doc.encode()).isEqualTo("ready");
            assertThat(doc.getLong("size_bytes")).isEqualTo(46L);
            return add(botId, url("/ok?n=after-long"));
          })
          .compose(doc -> Knowledge.settled(app, botId, doc.getString("id")))
          .compose(doc -> {
            assertThat(doc.getString("status")).isEqualTo("ready");
            assertThat(doc.getString("name")).isEqualTo("Lighthouse");
            return Knowledge.search(app, botId, "marmalade recipe");
          });
    }).onComplete(test.succeeding(found -> test.verify(() -> {
      assertThat(found.encode()).doesNotContain("SMUGGLED").doesNotContain("marmalade");
      test.completeNow();
    })));
  }

  // ---------------------------------------------------------------- content types

  @Test
  void a_binary_content_type_is_refused_on_the_headers(VertxTestContext test) {
    hostile("/image.png").compose(doc -> {
      assertFailed(doc, "The URL's content type (image/png) is not one Parley reads: it fetches HTML, text, Markdown, "
          + "PDF, DOCX and XML sitemaps");
      return closed("/image.png");
    }).onComplete(test.succeeding(s -> test.verify(() -> {
      assertThat(s.bytes.get()).isLessThan(BOUNDED);
      test.completeNow();
    })));
  }

  @Test
  void octet_stream_is_refused_whatever_the_file_name(VertxTestContext test) {
    hostile("/manual.pdf").onComplete(test.succeeding(doc -> test.verify(() -> {
      assertFailed(doc, "The URL's content type (application/octet-stream) is not one Parley reads: it fetches HTML, "
          + "text, Markdown, PDF, DOCX and XML sitemaps");
      test.completeNow();
    })));
  }

  // ---------------------------------------------------------------- sitemap bombs

  @Test
  void an_endless_sitemap_is_cut_at_the_size_limit(VertxTestContext test) {
    hostile("/huge-sitemap.xml").compose(doc -> {
      assertFailed(doc, TOO_LARGE);
      return Knowledge.documents(app, doc.getString("bot_id"));
    }).onComplete(test.succeeding(docs -> test.verify(() -> {
      assertThat(docs).as("no page of the sitemap became a document").hasSize(2);
      assertThat(served.get("/p/x")).isNull();
      test.completeNow();
    })));
  }

  @Test
  void a_sitemap_of_thousands_of_pages_yields_max_sitemap_pages(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String botId = bot.getString("id");
      return add(botId, url("/many-sitemap.xml"))
          .compose(doc -> Knowledge.until(app, botId, docs -> Knowledge.settled(docs, 6)));
    }).onComplete(test.succeeding(docs -> test.verify(() -> {
      assertThat(docs.stream().map(JsonObject.class::cast).filter(d -> "url".equals(d.getString("source")))
          .map(d -> d.getString("url")).sorted())
          .containsExactly(url("/p/0"), url("/p/1"), url("/p/2"), url("/p/3"), url("/p/4"));
      assertThat(docs.stream().map(JsonObject.class::cast).map(d -> d.getString("status"))).containsOnly("ready");
      test.completeNow();
    })));
  }

  @Test
  void an_index_of_indexes_reads_max_sitemap_files_and_follows_no_deeper(VertxTestContext test) {
    hostile("/index.xml").onComplete(test.succeeding(doc -> test.verify(() -> {
      assertFailed(doc, "The sitemap lists no pages");
      assertThat(paths.stream().filter(p -> p.startsWith("/index")))
          .containsExactly("/index.xml", "/index-0.xml", "/index-1.xml", "/index-2.xml");
      test.completeNow();
    })));
  }

  @Test
  void a_deeply_nested_sitemap_is_read_without_trouble(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String botId = bot.getString("id");
      return add(botId, url("/deep.xml"))
          .compose(doc -> Knowledge.until(app, botId, docs -> Knowledge.settled(docs, 2)));
    }).onComplete(test.succeeding(docs -> test.verify(() -> {
      assertThat(docs.stream().map(JsonObject.class::cast).map(d -> d.getString("url")))
          .containsExactlyInAnyOrder(url("/deep.xml"), url("/p/deep"));
      assertThat(docs.stream().map(JsonObject.class::cast).map(d -> d.getString("status"))).containsOnly("ready");
      test.completeNow();
    })));
  }
}
