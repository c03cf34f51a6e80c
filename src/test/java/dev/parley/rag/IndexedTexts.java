package dev.parley.rag;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** For benchmarks outside this package: the texts ingestion embeds for a Markdown document, with the default chunking. */
public final class IndexedTexts {

  private IndexedTexts() {
  }

  /** Each chunk's heading path and text, as {@link Chunker.Chunk#indexedText()} hands them to the model. */
  public static List<String> ofMarkdown(String markdown) {
    return new Chunker(800, 150).chunk(Extractors.extract(markdown.getBytes(StandardCharsets.UTF_8), "md")).stream()
        .map(Chunker.Chunk::indexedText).toList();
  }
}
