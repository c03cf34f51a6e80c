package dev.parley.rag;

import dev.parley.common.DataFolder;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.store.Lock;

/** A Lucene folder whose files are the owner's only (0600), as every file Parley writes under {@code data_dir}. */
final class PrivateDirectory extends FilterDirectory {

  private final Path folder;

  private PrivateDirectory(FSDirectory directory) {
    super(directory);
    this.folder = directory.getDirectory();
  }

  /** Opens {@code folder}, creating it 0700 when it is missing. */
  static PrivateDirectory open(Path folder) throws IOException {
    DataFolder.createPrivateFolder(folder);
    return new PrivateDirectory(FSDirectory.open(folder));
  }

  @Override
  public IndexOutput createOutput(String name, IOContext context) throws IOException {
    IndexOutput output = super.createOutput(name, context);
    DataFolder.restrict(folder.resolve(name));
    return output;
  }

  @Override
  public Lock obtainLock(String name) throws IOException {
    Lock lock = super.obtainLock(name);
    DataFolder.restrict(folder.resolve(name)); // write.lock: made by the lock factory, not createOutput
    return lock;
  }

  @Override
  public IndexOutput createTempOutput(String prefix, String suffix, IOContext context) throws IOException {
    IndexOutput output = super.createTempOutput(prefix, suffix, context);
    DataFolder.restrict(folder.resolve(output.getName()));
    return output;
  }
}
