package dev.parley.rag;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One bot's knowledge index built from a folder of Markdown test resources the way ingestion builds it
 * (default chunking, the local embedding model, the Lucene index), for the retrieval evaluations, and
 * the reading of their tab-separated question files.
 */
final class EvalIndex {

  static final String BOT = "bot_eval";

  final KnowledgeIndex index;
  private final Path models;

  private EvalIndex(KnowledgeIndex index, Path models) {
    this.index = index;
    this.models = models;
  }

  /** Indexes every file of the resource folder {@code docs} (e.g. "/eval/docs") under {@code folder}; its slug is the document id. */
  static EvalIndex build(Path folder, String docs) throws IOException, URISyntaxException {
    EvalIndex eval = new EvalIndex(KnowledgeIndex.open(folder.resolve("index")), folder.resolve("djl"));
    Chunker chunker = new Chunker(800, 150);
    for (Path file : files(docs)) {
      String slug = slug(file);
      List<Chunker.Chunk> chunks = chunker.chunk(Extractors.extract(Files.readAllBytes(file), "md"));
      List<float[]> vectors = LocalEmbeddings.embed(eval.models, chunks.stream().map(Chunker.Chunk::indexedText).toList());
      List<KnowledgeIndex.Entry> entries = new ArrayList<>();
      for (int i = 0; i < chunks.size(); i++) {
        Chunker.Chunk c = chunks.get(i);
        entries.add(new KnowledgeIndex.Entry(slug + ":" + i, c.position(), c.heading(), c.text(), vectors.get(i)));
      }
      eval.index.replaceDocument(BOT, slug, slug, entries);
    }
    return eval;
  }

  /** The Markdown files of a resource folder, sorted by name. */
  static List<Path> files(String docs) throws IOException, URISyntaxException {
    try (Stream<Path> files = Files.list(Path.of(EvalIndex.class.getResource(docs).toURI()))) {
      return files.filter(f -> f.getFileName().toString().endsWith(".md")).sorted().toList();
    }
  }

  static String slug(Path file) {
    return file.getFileName().toString().replace(".md", "");
  }

  /** The rows of a tab-separated resource, skipping blank lines and {@code #} comments. */
  static List<String[]> rows(String resource) throws IOException {
    List<String[]> rows = new ArrayList<>();
    try (InputStream in = EvalIndex.class.getResourceAsStream(resource)) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          rows.add(line.split("\t"));
        }
      }
    }
    return rows;
  }

  float[] embed(String question) {
    return LocalEmbeddings.embedOne(models, question);
  }

  /** The best {@code topK} passages for the question (no score floor); {@code vector} may be null for BM25. */
  List<KnowledgeIndex.Hit> search(String question, float[] vector, int topK, KnowledgeIndex.Mode mode) throws IOException {
    return index.search(BOT, question, mode == KnowledgeIndex.Mode.BM25 ? null : vector, topK, -1.0, mode);
  }

  void release() {
    index.release();
  }
}
