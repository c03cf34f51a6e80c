package dev.parley.rag;

import dev.parley.common.AnswerSentences;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One bot's knowledge index built from a folder of Markdown test resources the way ingestion builds it
 * (default chunking, the local embedding model, the Lucene index), for the retrieval evaluations, and
 * the reading of their tab-separated question files.
 */
final class EvalIndex {

  static final String BOT = "bot_eval";

  /** How the index's passages and the questions are embedded: the local model unless a comparison says otherwise. */
  interface Model {
    List<float[]> passages(List<String> texts);

    float[] query(String text);
  }

  final KnowledgeIndex index;
  private final Model model;
  private final Map<String, float[]> texts = new HashMap<>();

  private EvalIndex(KnowledgeIndex index, Model model) {
    this.index = index;
    this.model = model;
  }

  /** Indexes every file of the resource folder {@code docs} (e.g. "/eval/docs") under {@code folder}; its slug is the document id. */
  static EvalIndex build(Path folder, String docs) throws IOException, URISyntaxException {
    Path models = folder.resolve("djl");
    return build(folder, docs, new Model() {
      @Override
      public List<float[]> passages(List<String> texts) {
        return LocalEmbeddings.embed(models, texts);
      }

      @Override
      public float[] query(String text) {
        return LocalEmbeddings.embedOne(models, text);
      }
    });
  }

  /** As {@link #build(Path, String)}, embedded by {@code model}. */
  static EvalIndex build(Path folder, String docs, Model model) throws IOException, URISyntaxException {
    EvalIndex eval = new EvalIndex(KnowledgeIndex.open(folder.resolve("index")), model);
    Chunker chunker = new Chunker(800, 150);
    for (Path file : files(docs)) {
      String slug = slug(file);
      List<Chunker.Chunk> chunks = chunker.chunk(Extractors.extract(Files.readAllBytes(file), "md"));
      List<float[]> vectors = model.passages(chunks.stream().map(Chunker.Chunk::indexedText).toList());
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
    return model.query(question);
  }

  /** A section heading or a sentence embedded as {@link TextVectors} embeds it (as a passage), kept. */
  float[] embedText(String text) {
    return texts.computeIfAbsent(text, t -> model.passages(List.of(t)).get(0));
  }

  /** The cosine between the question and each candidate's section heading alone, as {@link Retrieval} gives them. */
  double[] headingCosines(float[] query, List<KnowledgeIndex.Hit> candidates) {
    double[] cosines = new double[candidates.size()];
    for (int i = 0; i < cosines.length; i++) {
      String heading = Reranker.sectionOf(candidates.get(i).heading());
      cosines[i] = heading.isBlank() ? 0 : TextVectors.cosine(query, embedText(heading));
    }
    return cosines;
  }

  /** The cosine between the question and each sentence of {@code text}, as {@link Retrieval} gives them. */
  List<Double> sentenceSimilarities(float[] query, String text) {
    List<Double> out = new ArrayList<>();
    for (String sentence : AnswerSentences.split(text)) {
      out.add(Math.round(TextVectors.cosine(query, embedText(sentence)) * 10_000) / 10_000.0);
    }
    return out;
  }

  /** The best {@code topK} passages for the question (no score floor); {@code vector} may be null for BM25. */
  List<KnowledgeIndex.Hit> search(String question, float[] vector, int topK, KnowledgeIndex.Mode mode) throws IOException {
    return index.search(BOT, question, mode == KnowledgeIndex.Mode.BM25 ? null : vector, topK, -1.0, mode);
  }

  void release() {
    index.release();
  }
}
