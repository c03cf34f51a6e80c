package dev.parley.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ModifierSupport;
import org.junit.platform.commons.support.ReflectionSupport;

/** Starts the {@link TestApp} of a {@link ParleyTest} class before its first test and stops it after its last. */
public final class ParleyExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ParleyExtension.class);
  private static final long START_TIMEOUT_S = 60;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Class<?> type = context.getRequiredTestClass();
    if (AnnotationSupport.isAnnotated(type, OnPostgres.class)) {
      TestPostgres.prepare(context); // a subclass's @OnPostgres registers its extension after this one
    }
    boolean measured = AnnotationSupport.findAnnotation(type, ParleyTest.class).map(ParleyTest::measured).orElse(false);
    Vertx vertx = measured ? TestApp.measuredVertx() : classVertx(context);
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    if (measured) {
      store.put("own_vertx", vertx);
    }
    Path dataDir = Files.createTempDirectory("parley-test");
    store.put("data_dir", dataDir);
    TestApp app = await(overrides(type, vertx).compose(overrides -> TestApp.start(vertx, dataDir, overrides)));
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
        await(app.stop());
      }
    } finally {
      if (own != null) {
        await(own.close());
      }
      delete(store.remove("data_dir", Path.class));
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestApp.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getStore(NAMESPACE).get("app", TestApp.class);
  }

  /** The Vert.x that {@link VertxExtension} gives this class's {@code @BeforeAll} and test methods, closed after it. */
  private static Vertx classVertx(ExtensionContext context) {
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

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT_S, TimeUnit.SECONDS);
  }

  private static void delete(Path dir) throws IOException {
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
