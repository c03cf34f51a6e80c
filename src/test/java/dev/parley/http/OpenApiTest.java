package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code /openapi.yaml} is a valid OpenAPI 3.1 document that lists every route the HTTP verticle
 * mounts, and {@code /docs} renders it with Parley's own copy of Swagger UI.
 *
 * <p>Route inventory: every exact-path route of {@link HttpVerticle#router()} must be in the
 * document, its Vert.x path turned into OpenAPI's form by {@link #openApiPath} ({@code :botId} →
 * {@code {bot_id}}: the parameter name in snake_case, as in the JSON bodies). Each route with
 * methods must have those operations; a route without methods (a filter such as
 * {@link ChatAccess}) needs its path listed. Not checked: wildcard routes (filters over a prefix such as
 * {@code /api/*}), regex routes (the pages {@code /admin/…} and {@code /chat/{bot_id}}, documented by
 * hand) and Swagger UI's own files under {@code /docs/}. The other way round, every documented
 * {@code /api}, {@code /health} and {@code /metrics} operation must be served.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = java.util.concurrent.TimeUnit.SECONDS)
class OpenApiTest {

  private static final Pattern VERTX_PARAM = Pattern.compile(":([A-Za-z0-9_]+)");
  private static final Pattern OPENAPI_PARAM = Pattern.compile("\\{([^}]+)}");
  private static final Set<String> OPERATIONS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private static TestApp app;
  /** What a bare HTTP verticle, configured as in the app, mounted. */
  private static List<Route> routes;
  private static Map<String, Object> document;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext test) {
    RouterAccess.routes(vertx, app.config)
        .compose(mounted -> {
          routes = mounted;
          return app.client.get("/openapi.yaml").send();
        })
        .compose(response -> {
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(response.getHeader("Content-Type")).startsWith("application/yaml");
          return vertx.executeBlocking(() -> parse(response.bodyAsString()));
        })
        .onComplete(test.succeeding(parsed -> {
          document = parsed;
          test.completeNow();
        }));
  }

  private static Map<String, Object> parse(String yaml) {
    return new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
  }

  @Test
  void openapi_yaml_is_an_openapi_3_1_document_whose_references_resolve() {
    assertThat(document.get("openapi")).isEqualTo("3.1.0");
    assertThat(map(document, "info")).containsKeys("title", "version");
    Map<String, Object> bearer = map(map(map(document, "components"), "securitySchemes"), "bearerAuth");
    assertThat(bearer).containsEntry("type", "http").containsEntry("scheme", "bearer");
    List<String> broken = new ArrayList<>();
    checkRefs(document, broken);
    assertThat(broken).as("$refs that point nowhere").isEmpty();
  }

  @Test
  void every_route_the_http_verticle_mounts_is_documented() {
    Map<String, Object> paths = map(document, "paths");
    List<String> missing = new ArrayList<>();
    int checked = 0;
    for (Route route : routes) {
      String path = route.getPath();
      if (path == null || !route.isExactPath() || path.startsWith("/docs/")) {
        continue;
      }
      checked++;
      String documented = openApiPath(path);
      Map<String, Object> item = map(paths, documented);
      Set<HttpMethod> methods = route.methods();
      if (methods == null || methods.isEmpty()) {
        if (item == null) {
          missing.add("* " + documented);
        }
        continue;
      }
      for (HttpMethod method : methods) {
        if (item == null || !item.containsKey(method.name().toLowerCase())) {
          missing.add(method.name() + " " + documented);
        }
      }
    }
    assertThat(checked).as("exact-path routes found on the router").isGreaterThan(20);
    assertThat(missing).as("routes missing from openapi.yaml").isEmpty();
  }

  @Test
  void every_documented_api_and_ops_operation_is_served() {
    Set<String> served = new TreeSet<>();
    for (Route route : routes) {
      if (route.getPath() != null && route.isExactPath() && route.methods() != null) {
        route.methods().forEach(m -> served.add(m.name().toLowerCase() + " " + openApiPath(route.getPath())));
      }
    }
    List<String> stale = new ArrayList<>();
    forEachOperation((path, method, operation) -> {
      boolean ours = path.startsWith("/api/") || path.startsWith("/health/") || path.equals("/metrics");
      if (ours && !served.contains(method + " " + path)) {
        stale.add(method + " " + path);
      }
    });
    assertThat(stale).as("documented operations no route serves").isEmpty();
  }

  @Test
  void path_parameters_are_declared_and_admin_routes_need_the_bearer_token() {
    List<String> problems = new ArrayList<>();
    Map<String, Object> paths = map(document, "paths");
    forEachOperation((path, method, operation) -> {
      Set<String> declared = new TreeSet<>();
      List<Object> parameters = new ArrayList<>(list(map(paths, path), "parameters"));
      parameters.addAll(list(operation, "parameters"));
      for (Object parameter : parameters) {
        Map<String, Object> p = resolve(cast(parameter));
        if ("path".equals(p.get("in"))) {
          declared.add((String) p.get("name"));
          if (!Boolean.TRUE.equals(p.get("required"))) {
            problems.add(method + " " + path + ": path parameter " + p.get("name") + " is not required");
          }
        }
      }
      Set<String> inPath = new TreeSet<>();
      Matcher m = OPENAPI_PARAM.matcher(path);
      while (m.find()) {
        inPath.add(m.group(1));
      }
      if (!declared.equals(inPath)) {
        problems.add(method + " " + path + ": declares " + declared + " for " + inPath);
      }
      boolean admin = AccessRules.guardedPrefixes().stream().anyMatch(path::startsWith);
      String security = String.valueOf(operation.get("security"));
      if (admin != security.contains("bearerAuth")) {
        problems.add(method + " " + path + ": security " + security);
      }
      if (!operation.containsKey("responses") || !operation.containsKey("operationId")) {
        problems.add(method + " " + path + ": no responses or operationId");
      }
    });
    assertThat(problems).isEmpty();
  }

  @Test
  void docs_page_loads_swagger_ui_from_parley_itself(VertxTestContext test) {
    app.client.get("/docs").send().compose(page -> {
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.getHeader("Content-Type")).startsWith("text/html");
      String csp = page.getHeader("Content-Security-Policy");
      assertThat(csp).isEqualTo(DocsRoutes.DOCS_CSP).contains("script-src 'self';").contains("default-src 'none'")
          .doesNotContain("http:").doesNotContain("https:").doesNotContain("unsafe-eval");
      String html = page.bodyAsString();
      List<String> scripts = attributes(html, "<script\\b[^>]*\\bsrc=\"([^\"]+)\"[^>]*>\\s*</script>");
      List<String> styles = attributes(html, "<link\\b[^>]*\\bhref=\"([^\"]+)\"");
      assertThat(scripts).containsExactly("/docs/assets/swagger-ui-bundle.js", "/docs/init.js");
      assertThat(html.split("<script", -1)).as("no inline script").hasSize(scripts.size() + 1);
      assertThat(styles).isNotEmpty().allMatch(href -> href.startsWith("/docs/"));
      List<Future<HttpResponse<Buffer>>> loads = new ArrayList<>();
      for (String url : scripts) {
        loads.add(app.client.get(url).send());
      }
      loads.add(app.client.get("/docs/assets/swagger-ui.css").send());
      loads.add(app.client.get("/docs/assets/favicon-32x32.png").send());
      return Future.all(loads);
    }).compose(all -> {
      for (int i = 0; i < 2; i++) {
        HttpResponse<Buffer> script = all.resultAt(i);
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.getHeader("Content-Type")).startsWith("text/javascript");
      }
      HttpResponse<Buffer> bundle = all.resultAt(0);
      assertThat(bundle.body().length()).isGreaterThan(500_000);
      assertThat(bundle.bodyAsString()).contains("SwaggerUIBundle");
      HttpResponse<Buffer> init = all.resultAt(1);
      assertThat(init.bodyAsString()).contains("SwaggerUIBundle(").contains("'/openapi.yaml'");
      HttpResponse<Buffer> css = all.resultAt(2);
      assertThat(css.statusCode()).isEqualTo(200);
      assertThat(css.getHeader("Content-Type")).startsWith("text/css");
      assertThat(css.bodyAsString()).contains(".swagger-ui");
      HttpResponse<Buffer> icon = all.resultAt(3);
      assertThat(icon.statusCode()).isEqualTo(200);
      assertThat(icon.getHeader("Content-Type")).isEqualTo("image/png");
      return Future.all(app.client.get("/docs/assets/index.html").send(),
          app.client.get("/docs/assets/..%2F..%2Fopenapi.yaml").send());
    }).onComplete(test.succeeding(others -> test.verify(() -> {
      for (int i = 0; i < 2; i++) {
        HttpResponse<Buffer> other = others.resultAt(i);
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(other.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not_found");
      }
      test.completeNow();
    })));
  }

  /** A Vert.x route path in OpenAPI's form: {@code /api/bots/:botId} → {@code /api/bots/{bot_id}}. */
  static String openApiPath(String vertxPath) {
    Matcher m = VERTX_PARAM.matcher(vertxPath);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String snake = m.group(1).replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
      m.appendReplacement(out, Matcher.quoteReplacement("{" + snake + "}"));
    }
    m.appendTail(out);
    return out.toString();
  }

  private interface OperationVisitor {
    void visit(String path, String method, Map<String, Object> operation);
  }

  private static void forEachOperation(OperationVisitor visitor) {
    for (Map.Entry<String, Object> path : map(document, "paths").entrySet()) {
      for (Map.Entry<String, Object> entry : cast(path.getValue()).entrySet()) {
        if (OPERATIONS.contains(entry.getKey())) {
          visitor.visit(path.getKey(), entry.getKey(), cast(entry.getValue()));
        }
      }
    }
  }

  private static Map<String, Object> resolve(Map<String, Object> node) {
    Object ref = node.get("$ref");
    return ref == null ? node : pointer((String) ref);
  }

  /** The node a local {@code #/a/b/c} reference names, or null. */
  private static Map<String, Object> pointer(String ref) {
    if (!ref.startsWith("#/")) {
      return null;
    }
    Object node = document;
    for (String part : ref.substring(2).split("/")) {
      String key = part.replace("~1", "/").replace("~0", "~");
      node = node instanceof Map<?, ?> m ? m.get(key) : null;
    }
    return node instanceof Map<?, ?> ? cast(node) : null;
  }

  private static void checkRefs(Object node, List<String> broken) {
    if (node instanceof Map<?, ?> m) {
      Object ref = m.get("$ref");
      if (ref instanceof String r && pointer(r) == null) {
        broken.add(r);
      }
      m.values().forEach(child -> checkRefs(child, broken));
    } else if (node instanceof List<?> l) {
      l.forEach(child -> checkRefs(child, broken));
    }
  }

  private static List<String> attributes(String html, String regex) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile(regex).matcher(html);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Object node) {
    return (Map<String, Object>) node;
  }

  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    return parent == null ? null : cast(parent.get(key));
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Map<String, Object> parent, String key) {
    Object value = parent == null ? null : parent.get(key);
    return value == null ? List.of() : (List<Object>) value;
  }
}
