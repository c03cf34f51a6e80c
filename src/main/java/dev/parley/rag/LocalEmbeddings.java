package dev.parley.rag;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.parley.common.DataFolder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process embedding model: all-MiniLM-L6-v2, quantised, run by ONNX Runtime from the
 * Maven artifact (nothing is downloaded). It is loaded once per process, on first use, and
 * shared by every verticle instance; its vectors have 384 dimensions and unit length.
 * Every method blocks: call from a worker thread.
 */
final class LocalEmbeddings {

  static final String MODEL = "all-minilm-l6-v2-q";
  static final int DIMENSION = 384;

  private static final Logger LOG = LoggerFactory.getLogger(LocalEmbeddings.class);
  private static volatile EmbeddingModel model;

  private LocalEmbeddings() {
  }

  /**
   * Loads the model if this process has not yet. DJL unpacks its tokenizer library into
   * {@code DJL_CACHE_DIR}, which defaults to {@code ~/.djl.ai}; unless the operator set it,
   * it goes under {@code cacheDir} (in the data folder) instead.
   */
  static EmbeddingModel load(Path cacheDir) {
    EmbeddingModel loaded = model;
    if (loaded != null) {
      return loaded;
    }
    synchronized (LocalEmbeddings.class) {
      if (model == null) {
        if (System.getenv("DJL_CACHE_DIR") == null && System.getProperty("DJL_CACHE_DIR") == null && cacheDir != null) {
          try {
            DataFolder.createPrivateFolder(cacheDir);
          } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot create " + cacheDir, e);
          }
          System.setProperty("DJL_CACHE_DIR", cacheDir.toAbsolutePath().toString());
        }
        long started = System.nanoTime();
        model = MiniLmModel.load();
        LOG.info("Embedding model {} loaded in {} ms", MODEL, (System.nanoTime() - started) / 1_000_000);
      }
      return model;
    }
  }

  /** Embeds the texts in one batch, in order. */
  static List<float[]> embed(Path cacheDir, List<String> texts) {
    EmbeddingModel m = load(cacheDir);
    List<TextSegment> segments = new ArrayList<>(texts.size());
    for (String text : texts) {
      segments.add(TextSegment.from(text.isBlank() ? "." : text));
    }
    List<Embedding> embeddings = m.embedAll(segments).content();
    List<float[]> out = new ArrayList<>(embeddings.size());
    for (Embedding e : embeddings) {
      out.add(normalised(e.vector()));
    }
    return out;
  }

  static float[] embedOne(Path cacheDir, String text) {
    return embed(cacheDir, List.of(text)).get(0);
  }

  /** {@code v} scaled to unit length (itself when it is already, or all zeros). */
  static float[] normalised(float[] v) {
    double norm = 0;
    for (float f : v) {
      norm += f * f;
    }
    norm = Math.sqrt(norm);
    if (norm == 0 || Math.abs(norm - 1) < 1e-4) {
      return v;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / norm);
    }
    return out;
  }
}
