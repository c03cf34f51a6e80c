package dev.parley.rag;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The cached embeddings of a stored answer's questions, as stored in {@code bot_answers.vectors}: base64 of
 * little-endian float32s, the vectors one after another (each of the model's dimension).
 */
final class AnswerVectors {

  private AnswerVectors() {
  }

  static String encode(List<float[]> vectors) {
    int floats = vectors.stream().mapToInt(v -> v.length).sum();
    ByteBuffer bytes = ByteBuffer.allocate(floats * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] vector : vectors) {
      for (float f : vector) {
        bytes.putFloat(f);
      }
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  /** The {@code count} vectors of {@code text}, or null when it does not hold that many (then they are made again). */
  static List<float[]> decode(String text, int count) {
    if (text == null || count <= 0) {
      return null;
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException bad) {
      return null;
    }
    if (raw.length == 0 || raw.length % (4 * count) != 0) {
      return null;
    }
    int dimension = raw.length / 4 / count;
    ByteBuffer bytes = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    List<float[]> vectors = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      float[] vector = new float[dimension];
      for (int j = 0; j < dimension; j++) {
        vector[j] = bytes.getFloat();
      }
      vectors.add(vector);
    }
    return vectors;
  }

  /** The cosine of two unit vectors (their dot product); 0 when their dimensions differ. */
  static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      return 0;
    }
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return dot;
  }
}
