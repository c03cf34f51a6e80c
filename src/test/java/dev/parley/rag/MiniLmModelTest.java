package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MiniLmModelTest {

  @Test
  void embedsTheSameVectorsAsLangchain4jsOwnClassForShortLongAndBatchedTexts() {
    List<TextSegment> texts = new ArrayList<>(List.of(
        TextSegment.from("How long do I have to return a tent?"),
        TextSegment.from("Return windows at a glance: tents 60 days, packs 21 days, stoves 100 days."),
        TextSegment.from("amex")));
    // over 510 tokens: embedded in parts and averaged
    texts.add(TextSegment.from("The Cairn tent's flysheet is seam-taped and rated for four seasons. ".repeat(60)));
    for (int i = 0; i < 12; i++) {
      texts.add(TextSegment.from("Passage " + i + " about shipping to the islands takes " + (i + 2) + " working days."));
    }

    List<Embedding> ours = MiniLmModel.load().embedAll(texts).content();
    List<Embedding> theirs = new AllMiniLmL6V2QuantizedEmbeddingModel().embedAll(texts).content();

    assertThat(ours).hasSameSizeAs(texts);
    for (int i = 0; i < texts.size(); i++) {
      assertThat(ours.get(i).vector()).hasSize(LocalEmbeddings.DIMENSION);
      assertThat(TextVectors.cosine(ours.get(i).vector(), theirs.get(i).vector())).as("text %d", i).isGreaterThan(0.99999);
    }
    assertThat(TextVectors.cosine(ours.get(0).vector(), ours.get(1).vector())).isLessThan(0.99);
  }

  @Test
  void textsAVisitorWaitsForGoAheadOfChunksQueuedBeforeThem() throws Exception {
    MiniLmModel model = MiniLmModel.load();
    List<TextSegment> chunks = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      chunks.add(TextSegment.from("Chunk " + i + " of an upload about the warranty of the Cairn tent and its repairs."));
    }
    List<TextSegment> headings = List.of(TextSegment.from("Returns"), TextSegment.from("Repairs"),
        TextSegment.from("Shipping to the islands"));
    java.util.concurrent.CompletableFuture<?> upload = java.util.concurrent.CompletableFuture.runAsync(
        () -> model.embedAll(chunks));
    while (!upload.isDone() && Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith("parley-embedding-") && t.getState() == Thread.State.RUNNABLE)) {
      Thread.sleep(1);
    }

    List<Embedding> visitor = MiniLmModel.urgently(() -> model.embedAll(headings).content());

    assertThat(visitor).hasSize(3);
    assertThat(upload).as("the upload's 400 chunks were still being embedded").isNotDone();
    upload.get();
  }

  @Test
  void runsTextsOnAtMostOneThreadPerCore() {
    MiniLmModel model = MiniLmModel.load();
    List<TextSegment> texts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      texts.add(TextSegment.from("Question number " + i + " about a refund."));
    }

    model.embedAll(texts);

    long threads = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("parley-embedding-")).count();
    assertThat(threads).isBetween(1L, (long) Runtime.getRuntime().availableProcessors());
  }
}
