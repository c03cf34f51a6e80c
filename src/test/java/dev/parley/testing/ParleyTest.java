package dev.parley.testing;

import io.vertx.junit5.VertxExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class against one whole Parley ({@link TestApp}), started before its first test in a fresh temp folder and
 * stopped after its last ({@link ParleyExtension}). The app is set into the class's static {@code TestApp} fields
 * and given to {@code TestApp} parameters; {@link ParleyConfig} names the overrides of the test config. Tests get
 * the app's Vert.x as their {@code Vertx} parameter. Under {@link OnPostgres} the app runs on PostgreSQL.
 * With {@link #perTest()}, the class has no app: each test starts its own through a {@link TestApps} parameter.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith({VertxExtension.class, ParleyExtension.class})
public @interface ParleyTest {

  /**
   * Runs the app on its own Vert.x with the metrics options of {@code Main} (for tests that read {@code /metrics}),
   * closed after the class, instead of the Vert.x the test methods get.
   */
  boolean measured() default false;

  /**
   * No app for the class: each test starts the apps it needs (with a config of its own, again on the same folder, or
   * a start that must fail) through its {@link TestApps} parameter, stopped after the test. With {@link #measured()},
   * each test gets a Vert.x of its own with the metrics options.
   */
  boolean perTest() default false;
}
