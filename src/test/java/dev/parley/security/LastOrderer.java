package dev.parley.security;

import java.util.Comparator;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

/** JUnit's default class order, except that classes marked {@link RunLast} go at the end. */
public final class LastOrderer implements ClassOrderer {

  @Override
  public void orderClasses(ClassOrdererContext context) {
    context.getClassDescriptors().sort(Comparator.comparing(d -> d.isAnnotated(RunLast.class)));
  }
}
