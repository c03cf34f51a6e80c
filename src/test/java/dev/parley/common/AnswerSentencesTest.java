package dev.parley.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The sentences an extractive answer is made of: by the question's terms, and by meaning when retrieval measured it. */
class AnswerSentencesTest {

  private static final String PAYMENT = "We take Visa and Mastercard online. American Express is accepted in our stores"
      + " only. Card payments are charged when the order ships.";

  private static Passage payment(List<Double> similarities) {
    return new Passage("doc_1", "Payment", "Payment › Cards", null, PAYMENT, 0, 0.5, null, 0.6, similarities);
  }

  @Test
  void without_similarities_the_sentence_holding_the_question_s_terms_is_chosen() {
    List<AnswerSentences.Sentence> picked = AnswerSentences.pick("can I pay online with amex", List.of(payment(null)));
    assertThat(picked).extracting(AnswerSentences.Sentence::text).containsExactly("We take Visa and Mastercard online.");
  }

  @Test
  void the_sentence_that_answers_by_meaning_is_chosen_when_retrieval_measured_it() {
    List<AnswerSentences.Sentence> picked = AnswerSentences.pick("can I pay online with amex",
        List.of(payment(List.of(0.30, 0.72, 0.20))));
    assertThat(picked).extracting(AnswerSentences.Sentence::text)
        .contains("American Express is accepted in our stores only.");
  }

  @Test
  void similarities_that_do_not_match_the_sentences_are_ignored() {
    List<AnswerSentences.Sentence> picked = AnswerSentences.pick("can I pay online with amex",
        List.of(payment(List.of(0.9))));
    assertThat(picked).extracting(AnswerSentences.Sentence::text).containsExactly("We take Visa and Mastercard online.");
  }
}
