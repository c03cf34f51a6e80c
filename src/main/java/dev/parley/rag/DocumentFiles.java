package dev.parley.rag;

import dev.parley.common.DataFolder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

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

  /**
   * Stores the originals of one upload ({@code contents[i]} under {@code ids[i]}; a null content has none) in one
   * blocking task: the bot's folder made if missing, each file written and its group and other permissions taken off.
   * An upload with no content (URLs) stores nothing.
   */
  Future<Void> save(String botId, List<String> ids, List<byte[]> contents) {
    if (contents.stream().allMatch(Objects::isNull)) {
      return Future.succeededFuture();
    }
    return workers.executeBlocking(() -> {
      DataFolder.createPrivateFolder(dir.resolve(botId));
      for (int i = 0; i < ids.size(); i++) {
        if (contents.get(i) != null) {
          Path path = path(botId, ids.get(i));
          Files.write(path, contents.get(i));
          DataFolder.restrict(path);
        }
      }
      return null;
    }, false);
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
