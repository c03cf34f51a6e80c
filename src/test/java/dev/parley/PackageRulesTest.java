package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package rules of the house style, read from the sources: {@code common} is shared by everyone and
 * depends on no other Parley package; {@code db} depends on {@code common} only; the verticle packages never
 * reference each other; {@code chat} (the turn pipeline) references only {@code common}. A reference is any
 * {@code dev.parley.<package>.} in the text (an import, a static import or a fully qualified name).
 */
class PackageRulesTest {

  private static final Path SOURCES = Path.of("src", "main", "java", "dev", "parley");
  private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.parley\\.([a-z][a-z0-9_]*)\\.");
  private static final Set<String> VERTICLES = Set.of("bot", "memory", "rag", "provider", "http", "webhook", "audit", "notify");

  @Test
  void common_references_no_other_parley_package() {
    assertThat(violations("common", Set.of("common"))).isEmpty();
  }

  @Test
  void db_references_only_common() {
    assertThat(violations("db", Set.of("db", "common"))).isEmpty();
  }

  @Test
  void verticle_packages_never_reference_each_other() {
    List<String> found = new ArrayList<>();
    for (String verticle : VERTICLES) {
      found.addAll(references(verticle).stream()
          .filter(reference -> !reference.target().equals(verticle) && VERTICLES.contains(reference.target()))
          .map(Reference::toString)
          .toList());
    }
    assertThat(found).isEmpty();
  }

  /** Passes while the package does not exist yet: the rule holds for whatever is in it. */
  @Test
  void chat_references_only_common() {
    assertThat(violations("chat", Set.of("chat", "common"))).isEmpty();
  }

  @Test
  void the_rules_see_the_references_that_exist() {
    assertThat(references("http")).anyMatch(reference -> reference.target().equals("common"));
  }

  private static List<String> violations(String from, Set<String> allowed) {
    return references(from).stream()
        .filter(reference -> !allowed.contains(reference.target()))
        .map(Reference::toString)
        .toList();
  }

  private static List<Reference> references(String packageName) {
    Path root = SOURCES.resolve(packageName);
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(file -> file.toString().endsWith(".java"))
          .flatMap(file -> referencesIn(file).stream())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Reference> referencesIn(Path file) {
    try {
      List<Reference> found = new ArrayList<>();
      Matcher matcher = REFERENCE.matcher(Files.readString(file));
      while (matcher.find()) {
        found.add(new Reference(SOURCES.relativize(file).toString(), matcher.group(1)));
      }
      return found;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Reference(String file, String target) {
    @Override
    public String toString() {
      return file + " -> dev.parley." + target;
    }
  }
}
