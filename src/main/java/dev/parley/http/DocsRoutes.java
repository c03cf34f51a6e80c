package dev.parley.http;

import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The API's own documentation: {@code GET /openapi.yaml} (the hand-written OpenAPI 3.1 document,
 * {@code src/main/resources/openapi.yaml}) and {@code GET /docs}, a page that renders it with Swagger UI
 * served by Parley itself from the {@code org.webjars:swagger-ui} jar ({@code /docs/assets/…}), so the
 * docs work offline and load nothing from another site. Every file is read from the classpath on a
 * worker thread once per verticle instance and kept: the document and the page when the routes are
 * mounted, Swagger UI's files on first use. The page's policy allows only Parley's own scripts;
 * Swagger UI sets inline styles, so styles also allow {@code 'unsafe-inline'}.
 */
final class DocsRoutes {

  static final String DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
      + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'; "
      + "frame-ancestors 'none'";
  static final String SPEC = "openapi.yaml";
  private static final String PAGE = "docs-ui/index.html";
  private static final String INIT = "docs-ui/init.js";
  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
  private static final String WEBJAR_POM = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
  /** The Swagger UI files the page uses: nothing else of the jar is reachable. */
  private static final Map<String, String> ASSETS = Map.of(
      "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
      "swagger-ui.css", "text/css; charset=utf-8",
      "favicon-32x32.png", "image/png",
      "favicon-16x16.png", "image/png");

  private final Vertx vertx;
  /** Resource → its bytes; touched only on this instance's event loop. */
  private final Map<String, Future<Buffer>> files = new HashMap<>();
  private Future<String> webjarDir;

  DocsRoutes(Vertx vertx) {
    this.vertx = vertx;
  }

  void mount(Router router) {
    load(SPEC);
    load(PAGE);
    load(INIT);
    router.get("/openapi.yaml").handler(ctx ->
        send(ctx, load(SPEC), "application/yaml; charset=utf-8", "no-cache", PagesHandler.ASSET_CSP));
    router.get("/docs").handler(ctx -> send(ctx, load(PAGE), "text/html; charset=utf-8", "no-cache", DOCS_CSP));
    router.get("/docs/init.js").handler(ctx ->
        send(ctx, load(INIT), "text/javascript; charset=utf-8", "no-cache", PagesHandler.ASSET_CSP));
    router.get("/docs/assets/:file").handler(this::asset);
  }

  private void asset(RoutingContext ctx) {
    String name = ctx.pathParam("file");
    String type = ASSETS.get(name);
    if (type == null) {
      ctx.fail(ParleyException.notFound("File"));
      return;
    }
    Future<Buffer> bytes = webjarDir().compose(dir -> load(dir + name));
    send(ctx, bytes, type, "public, max-age=3600", PagesHandler.ASSET_CSP);
  }

  /** {@code META-INF/resources/webjars/swagger-ui/<version>/}, the version taken from the webjar's own pom.properties. */
  private Future<String> webjarDir() {
    if (webjarDir == null) {
      webjarDir = load(WEBJAR_POM).map(pom -> {
        Properties properties = new Properties();
        try {
          properties.load(new StringReader(pom.toString()));
        } catch (IOException unreadable) {
          throw new IllegalStateException("Unreadable " + WEBJAR_POM, unreadable);
        }
        return WEBJAR + properties.getProperty("version") + "/";
      });
    }
    return webjarDir;
  }

  private Future<Buffer> load(String resource) {
    return files.computeIfAbsent(resource, name -> vertx.executeBlocking(() -> {
      try (InputStream in = DocsRoutes.class.getClassLoader().getResourceAsStream(name)) {
        if (in == null) {
          throw ParleyException.notFound("File");
        }
        return Buffer.buffer(in.readAllBytes());
      }
    }, false));
  }

  private static void send(RoutingContext ctx, Future<Buffer> bytes, String type, String caching, String csp) {
    bytes.onComplete(result -> {
      if (result.failed()) {
        Replies.fail(ctx, result.cause());
        return;
      }
      ctx.response()
          .putHeader("Content-Type", type)
          .putHeader("Cache-Control", caching)
          .putHeader("Content-Security-Policy", csp);
      Replies.end(ctx.response(), result.result());
    });
  }
}
