package dev.parley.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Parleys one test method starts itself, for tests that need an app of their own (a config of their own, a
 * restart on the same folder, a start that must fail): the {@code TestApps} parameter of the test methods of a
 * {@code @ParleyTest(perTest = true)} class. Its apps run on the test's Vert.x (under {@code measured}, on one with
 * {@link TestApp#measuredVertx()}'s options, closed after the test) in a temp folder of the method's. After the
 * test, every app it started is stopped and whatever it handed to {@link #afterwards} is run, the last first;
 * then the folder is deleted.
 */
public final class TestApps {

  public final Vertx vertx;
  /** The method's temp folder, where {@link #start()} puts the app's data. */
  public final Path dataDir;
  private final List<Runnable> cleanUps = new ArrayList<>();

  TestApps(Vertx vertx, Path dataDir) {
    this.vertx = vertx;
    this.dataDir = dataDir;
  }

  public Future<TestApp> start() {
    return start(dataDir, new JsonObject());
  }

  /** An app on {@link #dataDir} with {@code overrides} deep-merged over the test config. */
  public Future<TestApp> start(JsonObject overrides) {
    return start(dataDir, overrides);
  }

  /** An app on the folder {@code dataDir} (another than the method's, or one inside it). */
  public Future<TestApp> start(Path dataDir) {
    return start(dataDir, new JsonObject());
  }

  /** The same, with {@code overrides}. */
  public Future<TestApp> start(Path dataDir, JsonObject overrides) {
    return TestApp.start(vertx, dataDir, overrides).onSuccess(app -> afterwards(() -> Await.result(app.stop())));
  }

  /** Runs {@code cleanUp} after the test, before what was handed over earlier (and before earlier apps stop). */
  public synchronized void afterwards(Runnable cleanUp) {
    cleanUps.add(cleanUp);
  }

  /** Runs every clean-up, the last first, each even when one before failed; then throws what failed. */
  synchronized void cleanUp() {
    AssertionError failed = null;
    for (int i = cleanUps.size() - 1; i >= 0; i--) {
      try {
        cleanUps.get(i).run();
      } catch (RuntimeException | Error failure) {
        if (failed == null) {
          failed = new AssertionError("clean-up after the test failed", failure);
        } else {
          failed.addSuppressed(failure);
        }
      }
    }
    cleanUps.clear();
    if (failed != null) {
      throw failed;
    }
  }
}
