package dev.parley.rag;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * all-MiniLM-L6-v2 (quantised, from langchain4j's artifact) run with one ONNX Runtime thread per text and as many
 * texts at once as the machine has cores. langchain4j's own class runs each text on a pool of one thread per core
 * and lets ONNX Runtime split every text over another pool of one thread per core, so a batch kept cores² threads
 * busy (four on two cores, spinning while they wait): measured on 2 vCPU, the same batches embed 15–55 % faster
 * this way and leave more of the machine to the rest of Parley (docs/performance.md, "Ingestion", fifth session).
 * The vectors are the same: the same model, tokenizer and pooling, one text per run.
 *
 * <p>Texts a visitor waits for ({@link #urgently}) go ahead of those already queued (an ingestion's chunks): a
 * knowledge turn that meets headings new to the process does not wait for an upload's batches.
 */
final class MiniLmModel extends AbstractInProcessEmbeddingModel {

  private static final String MODEL_FILE = "all-minilm-l6-v2-q.onnx";
  private static final String TOKENIZER_FILE = "all-minilm-l6-v2-q-tokenizer.json";

  /** Shared by every copy of the model a process loads (one, outside tests). */
  private static final ExecutorService TEXT_THREADS = new TextThreads(Runtime.getRuntime().availableProcessors());
  private static final ThreadLocal<Boolean> URGENT = ThreadLocal.withInitial(() -> false);

  private final OnnxBertBiEncoder encoder;

  private MiniLmModel(ExecutorService texts, OnnxBertBiEncoder encoder) {
    super(texts);
    this.encoder = encoder;
  }

  static MiniLmModel load() {
    try (InputStream model = resource(MODEL_FILE); InputStream tokenizer = resource(TOKENIZER_FILE)) {
      OrtEnvironment environment = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      OrtSession session = environment.createSession(model.readAllBytes(), options);
      return new MiniLmModel(TEXT_THREADS, new OnnxBertBiEncoder(environment, session, tokenizer, PoolingMode.MEAN));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (OrtException e) {
      throw new IllegalStateException("Cannot load " + MODEL_FILE, e);
    }
  }

  @Override
  protected OnnxBertBiEncoder model() {
    return encoder;
  }

  @Override
  protected Integer knownDimension() {
    return LocalEmbeddings.DIMENSION;
  }

  /** Runs {@code work} with the texts it embeds on this thread put ahead of those queued without this. */
  static <T> T urgently(Supplier<T> work) {
    boolean was = URGENT.get();
    URGENT.set(true);
    try {
      return work.get();
    } finally {
      URGENT.set(was);
    }
  }

  /** A fixed pool whose queue serves urgent texts first, the others in order. */
  private static final class TextThreads extends ThreadPoolExecutor {
    private final AtomicLong submitted = new AtomicLong();

    TextThreads(int threads) {
      super(threads, threads, 0, TimeUnit.MILLISECONDS, new PriorityBlockingQueue<>(), named());
    }

    @Override
    public void execute(Runnable task) {
      super.execute(new Ranked(task, URGENT.get(), submitted.incrementAndGet()));
    }

    private static java.util.concurrent.ThreadFactory named() {
      AtomicInteger count = new AtomicInteger();
      return run -> {
        Thread thread = new Thread(run, "parley-embedding-" + count.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      };
    }
  }

  private record Ranked(Runnable task, boolean urgent, long order) implements Runnable, Comparable<Ranked> {
    @Override
    public void run() {
      task.run();
    }

    @Override
    public int compareTo(Ranked other) {
      return urgent != other.urgent ? (urgent ? -1 : 1) : Long.compare(order, other.order);
    }
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = MiniLmModel.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IOException(name + " is not on the class path");
    }
    return in;
  }
}
