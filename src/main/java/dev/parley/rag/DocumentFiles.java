package dev.parley.rag;

import dev.parley.common.DataFolder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * The original files of uploaded and text documents, under {@code data_dir/documents/{bot}/{document}}, readable
 * by Parley's user only. URL documents keep no file: their page is fetched again when needed.
 */
final class DocumentFiles {

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final Path dir;

  DocumentFiles(Vertx vertx, WorkerExecutor workers, Path dir) {
    this.vertx = vertx;
    this.workers = workers;
    this.dir = dir;
  }

  Future<Void> save(String botId, String id, byte[] bytes) {
    Path path = path(botId, id);
    return workers.<Void>executeBlocking(() -> {
      DataFolder.createPrivateFolder(path.getParent());
      return null;
    }, false).compose(v -> vertx.fileSystem().writeFile(path.toString(), Buffer.buffer(bytes)))
        .compose(v -> workers.executeBlocking(() -> {
          DataFolder.restrict(path);
          return null;
        }, false));
  }

  Future<byte[]> read(String botId, String id) {
    return vertx.fileSystem().readFile(path(botId, id).toString()).map(Buffer::getBytes);
  }

  Future<Void> delete(String botId, String id) {
    return workers.executeBlocking(() -> {
      Files.deleteIfExists(path(botId, id));
      return null;
    }, false);
  }

  /** Removes a bot's folder with every file in it. */
  Future<Void> deleteBot(String botId) {
    return workers.executeBlocking(() -> {
      Path folder = dir.resolve(botId);
      if (Files.isDirectory(folder)) {
        try (var files = Files.walk(folder)) {
          for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
      return null;
    }, false);
  }

  private Path path(String botId, String id) {
    return dir.resolve(botId).resolve(id);
  }
}
