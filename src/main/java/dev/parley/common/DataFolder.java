package dev.parley.common;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what Parley writes under {@code data_dir} to the user it runs as: conversations, keys and the
 * knowledge base are no other local user's business. Folders are 0700 and files 0600; at start, anything
 * Parley wrote there that group or others may read (an install made before, a restored backup) is
 * tightened with a WARN naming it. Inside a 0700 folder, files that libraries create later with the
 * process umask (Lucene segments, upload temp files) are out of other users' reach as well. On a file
 * system without POSIX permissions, nothing is done and nothing is said.
 */
public final class DataFolder {

  /** The entries of the data folder that Parley writes (tightened recursively); anything else there is left alone. */
  static final List<String> OWN = List.of("secret.key", "admin-token.sha256", "index", "index-text", "documents",
      "uploads", "djl");
  private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
  private static final Logger LOG = LoggerFactory.getLogger(DataFolder.class);

  private DataFolder() {
  }

  /**
   * Creates {@code folder} (0700) and its {@code uploads} folder if they are missing, and the SQLite file
   * {@code database} (null on PostgreSQL) 0600; then tightens the folder, the SQLite file with its journal
   * files, and every entry of {@link #OWN}. Blocking.
   */
  public static void secure(Path folder, Path database) throws IOException {
    createPrivateFolder(folder);
    if (!posix(folder)) {
      return;
    }
    tighten(folder);
    createPrivateFolder(folder.resolve("uploads"));
    for (String own : OWN) {
      Path entry = folder.resolve(own);
      if (Files.exists(entry, LinkOption.NOFOLLOW_LINKS)) {
        tightenTree(entry);
      }
    }
    if (database != null) {
      createPrivateFile(database);
      for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
        Path file = Path.of(database + suffix);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
          tighten(file);
        }
      }
    }
  }

  /**
   * Creates the empty file 0600 when it does not exist, so that what a library then writes into it (SQLite,
   * whose WAL and shared-memory files take the database file's mode) is private from the first byte.
   */
  public static void createPrivateFile(Path file) throws IOException {
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!posix(file.getParent())) {
      return;
    }
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (java.nio.file.FileAlreadyExistsException raced) {
      // another verticle made it first, the same way
    }
  }

  /** Creates the folder and any missing parents 0700, unless it exists. */
  public static void createPrivateFolder(Path folder) throws IOException {
    if (Files.isDirectory(folder)) {
      return;
    }
    try {
      Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createDirectories(folder);
    }
  }

  /** Takes group and other permissions off {@code path} (a file or folder just created by Parley); best effort. */
  public static void restrict(Path path) {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
      if (permissions.removeAll(OTHERS)) {
        Files.setPosixFilePermissions(path, permissions);
      }
    } catch (UnsupportedOperationException | IOException notPosix) {
      // best effort: the folder around it is private
    }
  }

  private static boolean posix(Path path) throws IOException {
    return path != null && Files.getFileStore(path).supportsFileAttributeView("posix");
  }

  private static void tightenTree(Path root) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
        tighten(dir);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
        if (attributes.isRegularFile()) {
          tighten(file);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException unreadable) {
        LOG.warn("Could not check the permissions of {}: {}", file, unreadable.getMessage());
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static void tighten(Path path) throws IOException {
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
    String before = PosixFilePermissions.toString(permissions);
    if (permissions.removeAll(OTHERS)) {
      Files.setPosixFilePermissions(path, permissions);
      LOG.warn("{} was open to other local users ({}); it is now {}", path, before,
          PosixFilePermissions.toString(permissions));
    }
  }
}
