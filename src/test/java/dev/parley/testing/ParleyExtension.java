package dev.parley.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ModifierSupport;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * Starts the {@link TestApp} of a {@link ParleyTest} class before its first test and stops it after its last; gives
 * each test method of a {@code perTest} class its {@link TestApps}, cleaned up after the test.
 */
public final class ParleyExtension implements BeforeAllCallback, AfterAllCallback, AfterEachCallback,
    ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ParleyExtension.class);
  private static final long START_TIMEOUT_S = 60;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Class<?> type = context.getRequiredTestClass();
    if (AnnotationSupport.isAnnotated(type, OnPostgres.class)) {
      TestPostgres.prepare(context); // a subclass's @OnPostgres registers its extension after this one
    }
    if (perTest(type)) {
      return;
    }
    boolean measured = measured(type);
    Vertx vertx = measured ? TestApp.measuredVertx() : vertxOf(context);
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    if (measured) {
      store.put("own_vertx", vertx);
    }
    Path dataDir = Files.createTempDirectory("parley-test");
    store.put("data_dir", dataDir);
    TestApp app = Await.result(overrides(type, vertx).compose(overrides -> TestApp.start(vertx, dataDir, overrides)),
        START_TIMEOUT_S);
    store.put("app", app);
    for (Field field : ReflectionSupport.findFields(type, f -> ModifierSupport.isStatic(f)
        && !ModifierSupport.isFinal(f) && f.getType() == TestApp.class, HierarchyTraversalMode.TOP_DOWN)) {
      field.setAccessible(true);
      field.set(null, app);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    TestApp app = store.remove("app", TestApp.class);
    Vertx own = store.remove("own_vertx", Vertx.class);
    try {
      if (app != null) {
        Await.result(app.stop(), START_TIMEOUT_S);
      }
    } finally {
      if (own != null) {
        Await.result(own.close(), START_TIMEOUT_S);
      }
      delete(store.remove("data_dir", Path.class));
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    TestApps apps = context.getStore(NAMESPACE).remove("apps", TestApps.class);
    if (apps != null) {
      try {
        apps.cleanUp();
      } finally {
        delete(apps.dataDir);
      }
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == TestApp.class || type == TestApps.class && context.getTestMethod().isPresent();
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (parameter.getParameter().getType() == TestApps.class) {
      return context.getStore(NAMESPACE).getOrComputeIfAbsent("apps", key -> testApps(context), TestApps.class);
    }
    return context.getStore(NAMESPACE).get("app", TestApp.class);
  }

  private static boolean perTest(Class<?> type) {
    return AnnotationSupport.findAnnotation(type, ParleyTest.class).map(ParleyTest::perTest).orElse(false);
  }

  private static boolean measured(Class<?> type) {
    return AnnotationSupport.findAnnotation(type, ParleyTest.class).map(ParleyTest::measured).orElse(false);
  }

  /** A test method's apps: on its Vert.x, or on a measured one of its own closed after the apps stop. */
  private static TestApps testApps(ExtensionContext context) {
    boolean measured = measured(context.getRequiredTestClass());
    Vertx vertx = measured ? TestApp.measuredVertx() : vertxOf(context);
    try {
      TestApps apps = new TestApps(vertx, Files.createTempDirectory("parley-test"));
      if (measured) {
        apps.afterwards(() -> Await.result(vertx.close(), START_TIMEOUT_S));
      }
      return apps;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The Vert.x that {@link VertxExtension} gives this class's {@code @BeforeAll} and test methods, closed after it;
   * given a test method's context, the one it gives that method.
   */
  private static Vertx vertxOf(ExtensionContext context) {
    return (Vertx) new VertxExtension().resolveParameter(new VertxParameter(), context);
  }

  private static Future<JsonObject> overrides(Class<?> type, Vertx vertx) throws ReflectiveOperationException {
    List<Method> methods = AnnotationSupport.findAnnotatedMethods(type, ParleyConfig.class, HierarchyTraversalMode.BOTTOM_UP);
    if (methods.isEmpty()) {
      return Future.succeededFuture(new JsonObject());
    }
    Method method = methods.get(0);
    if (!Modifier.isStatic(method.getModifiers())) {
      throw new IllegalStateException("@ParleyConfig method " + method + " must be static");
    }
    method.setAccessible(true);
    Object config = method.getParameterCount() == 0 ? method.invoke(null) : method.invoke(null, vertx);
    if (config instanceof JsonObject json) {
      return Future.succeededFuture(json);
    }
    @SuppressWarnings("unchecked")
    Future<JsonObject> later = (Future<JsonObject>) config;
    return later;
  }

  /** Deletes the folder {@code dir} and everything in it, if it exists. */
  static void delete(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path path : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** A {@code Vertx} parameter, as of a {@code @BeforeAll} method: what {@link VertxExtension} resolves. */
  private static final class VertxParameter implements ParameterContext {

    @SuppressWarnings("unused")
    private static void beforeAll(Vertx vertx) {
    }

    @Override
    public Parameter getParameter() {
      try {
        return VertxParameter.class.getDeclaredMethod("beforeAll", Vertx.class).getParameters()[0];
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public int getIndex() {
      return 0;
    }

    @Override
    public Optional<Object> getTarget() {
      return Optional.empty();
    }

    @Override
    public boolean isAnnotated(Class<? extends Annotation> annotationType) {
      return false;
    }

    @Override
    public <A extends Annotation> Optional<A> findAnnotation(Class<A> annotationType) {
      return Optional.empty();
    }

    @Override
    public <A extends Annotation> List<A> findRepeatableAnnotations(Class<A> annotationType) {
      return List.of();
    }
  }
}
