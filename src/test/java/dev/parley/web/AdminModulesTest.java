package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The admin dashboard is ES modules served as they are (no build step): an entry module, library
 * modules and one module per page, each served as JavaScript under the admin's policy, importing
 * only other modules of Parley.
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class AdminModulesTest {

  private static final Path ADMIN = Paths.get("webroot", "admin");
  /** The module of a static import (or re-export): import '…', import … from '…', export … from '…'. */
  private static final Pattern IMPORT = Pattern.compile("^\\s*(?:import\\s*|(?:import|export)\\s[^;'\"]*?\\sfrom\\s*)['\"]([^'\"]+)['\"]",
      Pattern.MULTILINE);

  private static TestApp app;

  private static List<String> modules() throws IOException {
    try (Stream<Path> files = Files.walk(ADMIN)) {
      return files.filter(p -> p.toString().endsWith(".js")).map(p -> ADMIN.relativize(p).toString().replace('\\', '/'))
          .sorted().toList();
    }
  }

  @Test
  void the_page_loads_one_entry_module_and_nothing_from_another_site(VertxTestContext test) {
    app.client.get("/admin/").send().onComplete(test.succeeding(page -> test.verify(() -> {
      String html = page.bodyAsString();
      assertThat(html).contains("<script type=\"module\" src=\"/admin/main.js\"></script>");
      assertThat(Pattern.compile("<script").matcher(html).results().count()).isEqualTo(1);
      assertThat(html).doesNotContainPattern("(src|href)=\"(https?:)?//");
      assertThat(page.getHeader("Content-Security-Policy")).contains("script-src 'self'").doesNotContain("unsafe-inline");
      test.completeNow();
    })));
  }

  @Test
  void every_module_imports_only_modules_of_the_admin_page_by_a_relative_path() throws IOException {
    List<String> modules = modules();
    assertThat(modules).contains("main.js", "lib/dom.js", "lib/api.js", "lib/forms.js", "pages/knowledge/knowledge.js")
        .doesNotContain("admin.js");
    int found = 0;
    for (String module : modules) {
      Path file = ADMIN.resolve(module);
      Matcher imports = IMPORT.matcher(Files.readString(file));
      while (imports.find()) {
        String target = imports.group(1);
        assertThat(target).as(module).matches("\\.\\.?/.*\\.js");
        Path resolved = file.getParent().resolve(target).normalize();
        assertThat(resolved).as(module + " imports " + target).startsWith(ADMIN).isRegularFile();
        found++;
      }
    }
    assertThat(found).as("imports found").isGreaterThan(modules.size());
  }

  @Test
  void every_module_is_served_as_javascript_under_the_admin_policy(VertxTestContext test) throws IOException {
    List<String> modules = modules();
    List<Future<HttpResponse<Buffer>>> responses = modules.stream()
        .map(module -> app.client.get("/admin/" + module).send()).toList();
    Future.all(responses).onComplete(test.succeeding(all -> test.verify(() -> {
      for (int i = 0; i < modules.size(); i++) {
        HttpResponse<Buffer> response = responses.get(i).result();
        assertThat(response.statusCode()).as(modules.get(i)).isEqualTo(200);
        assertThat(response.getHeader("Content-Type")).as(modules.get(i)).startsWith("text/javascript");
        assertThat(response.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(response.getHeader("Content-Security-Policy")).contains("script-src 'self'", "frame-ancestors 'none'");
        assertThat(response.bodyAsString()).isEqualTo(Files.readString(ADMIN.resolve(modules.get(i))));
      }
      test.completeNow();
    })));
  }
}
