package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.parley.common.DataFolder;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import dev.parley.testing.TestApps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * No other local user reads Parley's data folder: conversations (SQLite file, WAL, shared memory), the
 * knowledge base (Lucene index, original documents), uploads and keys are 0600 in 0700 folders, from the
 * first start on, and an install left open by an earlier version is tightened at start with a WARN per path.
 */
@ParleyTest(perTest = true)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class DataFolderPermissionsTest {

  private static final Set<PosixFilePermission> OPEN = Set.of(PosixFilePermission.GROUP_READ,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  /** Uses the data folder: a bot, a document indexed (Lucene files, a stored original) and a chat turn (WAL). */
  private static Future<Void> use(TestApp app) {
    return app.createBot(new JsonObject().put("name", "Private").put("api_key", "sk-private-test-key")).compose(bot -> {
      String id = bot.getString("id");
      return app.admin(HttpMethod.POST, "/api/bots/" + id + "/documents")
          .sendJsonObject(new JsonObject().put("name", "Notes").put("text", "Opening hours are nine to five."))
          .compose(added -> {
            String doc = added.bodyAsJsonObject().getJsonArray("documents").getJsonObject(0).getString("id");
            return ready(app, id, doc, 0);
          })
          .compose(v -> app.chat(id, new JsonObject().put("message", "when are you open?")))
          .map(chat -> {
            assertThat(chat.statusCode()).as(chat.bodyAsString()).isEqualTo(200);
            return null;
          });
    });
  }

  private static Future<Void> ready(TestApp app, String bot, String doc, int attempt) {
    return app.admin(HttpMethod.GET, "/api/bots/" + bot + "/documents/" + doc).send().compose(response -> {
      String status = response.bodyAsJsonObject().getString("status");
      if ("ready".equals(status)) {
        return Future.succeededFuture();
      }
      assertThat(status).isNotEqualTo("failed");
      assertThat(attempt).as("document stuck in " + status).isLessThan(600);
      return app.vertx.timer(50).compose(t -> ready(app, bot, doc, attempt + 1));
    });
  }

  /** Every folder and file under {@code root} that group or others may use, with its mode. */
  private static List<String> open(Path root) throws IOException {
    List<String> open = new ArrayList<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path path : (Iterable<Path>) all::iterator) {
        if (path.startsWith(root.resolve("djl")) && !path.equals(root.resolve("djl"))) {
          continue; // the embedding library's own cache: inside a 0700 folder, tightened at each start
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        if (mode.stream().anyMatch(OPEN::contains)) {
          open.add(root.relativize(path) + " " + PosixFilePermissions.toString(mode));
        }
      }
    }
    return open;
  }

  @Test
  void a_new_data_folder_and_everything_parley_writes_in_it_are_the_owners_only(Vertx vertx, TestApps apps,
      VertxTestContext test) {
    Path data = apps.dataDir.resolve("fresh").resolve("data");
    apps.start(data).compose(app -> use(app).compose(v -> vertx.executeBlocking(() -> {
      assertThat(Files.getPosixFilePermissions(data)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
      assertThat(data.resolve("parley.db")).exists();
      assertThat(data.resolve("parley.db-wal")).exists();
      assertThat(data.resolve("index")).isDirectory();
      assertThat(data.resolve("documents")).isDirectory();
      assertThat(data.resolve("uploads")).isDirectory();
      assertThat(open(data)).isEmpty();
      return null;
    })).eventually(app::stop)).onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_open_data_folder_from_an_earlier_install_is_tightened_at_start_with_a_warn_per_path(Vertx vertx,
      TestApps apps, VertxTestContext test) {
    Path data = apps.dataDir.resolve("earlier");
    Logger log = (Logger) LoggerFactory.getLogger(DataFolder.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    apps.start(data).compose(first -> use(first).eventually(first::stop))
        .compose(v -> vertx.executeBlocking(() -> {
          // what an install made before this version left: everything readable by every local user
          try (Stream<Path> all = Files.walk(data)) {
            for (Path path : (Iterable<Path>) all::iterator) {
              Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path)
                  ? "rwxr-xr-x" : "rw-r--r--"));
            }
          }
          Files.writeString(data.resolve("secret.key"), "not read by this test's app");
          Files.setPosixFilePermissions(data.resolve("secret.key"), PosixFilePermissions.fromString("rw-r--r--"));
          assertThat(open(data)).isNotEmpty();
          log.addAppender(logged);
          return null;
        }))
        .compose(v -> apps.start(data))
        .compose(second -> vertx.executeBlocking(() -> {
          log.detachAppender(logged);
          assertThat(open(data)).isEmpty();
          List<String> warnings = logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
          for (String path : List.of(data.toString(), data.resolve("parley.db").toString(),
              data.resolve("secret.key").toString(), data.resolve("index").toString(),
              data.resolve("documents").toString())) {
            assertThat(warnings).anyMatch(w -> w.startsWith(path + " was open to other local users (rw"));
          }
          return null;
        }).eventually(second::stop))
        .onComplete(test.succeedingThenComplete());
  }
}
