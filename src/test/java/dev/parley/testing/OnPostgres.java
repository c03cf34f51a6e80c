package dev.parley.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class on PostgreSQL: the class gets a fresh database before its first test, every
 * {@link TestApp} it starts runs on it, and it is dropped after the last test. A storage test
 * runs on both databases by a subclass that only carries this annotation:
 * {@code @OnPostgres class BotApiPostgresTest extends BotApiTest {}}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(TestPostgres.class)
public @interface OnPostgres {
}
