package dev.parley.rag;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerThresholdProbe {
  @Test
  void probe() throws Exception {
    Path cache = Files.createTempDirectory("probe");
    String[][] pairs = {
      {"How long do I have to return a tent?", "Can I still send back the tent I bought three weeks ago?"},
      {"How long do I have to return a tent?", "What is the return window for tents?"},
      {"How long do I have to return a tent?", "how many days to return my tent"},
      {"How long do I have to return a tent?", "Until when can I return a tent?"},
      {"Do you ship to Canada?", "Can you deliver my order to Canada?"},
      {"Do you ship to Canada?", "Is shipping to Canada available?"},
      {"What are your opening hours?", "When are you open?"},
      {"What are your opening hours?", "what time does the shop open"},
      {"How do I reset my password?", "I forgot my password, how can I change it?"},
      {"How do I reset my password?", "password reset"},
      {"Is the tent covered by a warranty?", "Does my tent have a guarantee?"},
      {"How long do I have to return a tent?", "Is the tent covered by a warranty?"},
      {"How long do I have to return a tent?", "How do I repair a torn tent?"},
      {"How long do I have to return a tent?", "What is the capital of France?"},
      {"How long do I have to return a tent?", "How long does delivery take?"},
      {"Do you ship to Canada?", "Do you ship to Mexico?"},
      {"Do you ship to Canada?", "What are your opening hours?"},
      {"What are your opening hours?", "What are your prices?"},
      {"How do I reset my password?", "How do I delete my account?"},
      {"How do I reset my password?", "Tell me a joke"},
      {"Is the tent covered by a warranty?", "How long do I have to return a tent?"},
      {"Is the tent covered by a warranty?", "Is the sleeping bag covered by a warranty?"},
    };
    for (String[] p : pairs) {
      List<float[]> v = LocalEmbeddings.embed(cache, List.of(p[0], p[1]));
      System.err.printf("PROBE %.3f  %s | %s%n", AnswerVectors.cosine(v.get(0), v.get(1)), p[0], p[1]);
    }
  }
}
