package dev.parley.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The static method of a {@link ParleyTest} class that gives the overrides deep-merged over the test config: it
 * returns a {@code JsonObject} or a {@code Future<JsonObject>} (when something the config names, a fake server,
 * must start first), and takes no parameter or the {@code Vertx} the app will run on.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ParleyConfig {
}
