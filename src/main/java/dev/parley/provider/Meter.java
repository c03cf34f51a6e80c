package dev.parley.provider;

import dev.parley.common.TokenEstimate;

/**
 * What one attempt of a model call spent, as far as Parley can tell, kept up to date while the answer
 * arrives so that a call stopped half-way (the visitor left, the deadline passed) still reports it.
 *
 * <p>An attempt counts when there is evidence the model worked on it: the vendor reported usage, text
 * came back, or Parley stopped it ({@link #stop()}) after the request had gone out. An attempt the upstream
 * refused (a non-2xx answer, a failed connection, an error before any text or usage) counts nothing.
 * Tokens the vendor reported are used as they are; the others are estimated from characters
 * ({@link TokenEstimate}). Once {@link #finish() finished} or stopped, it no longer changes.
 * Used from the provider verticle's event loop only.
 */
final class Meter {

  private final String model;
  private final long promptChars;
  private boolean sent;
  private boolean stopped;
  private boolean frozen;
  private Long vendorInput;
  private Long vendorOutput;
  private long outputChars;

  Meter(String model, long promptChars) {
    this.model = model;
    this.promptChars = promptChars;
  }

  String model() {
    return model;
  }

  /** The request went out on a connection. */
  void sent() {
    if (!frozen) {
      sent = true;
    }
  }

  /** The vendor's count of input tokens. */
  void input(long tokens) {
    if (!frozen) {
      vendorInput = tokens;
    }
  }

  /** The vendor's final count of output tokens (not a running placeholder). */
  void output(long tokens) {
    if (!frozen) {
      vendorOutput = tokens;
    }
  }

  /** Text of the answer arrived. */
  void received(String text) {
    if (!frozen && text != null) {
      outputChars += text.length();
    }
  }

  /** Parley stopped the attempt (cancelled, timed out, cut at the length cap): what it spent so far counts. */
  void stop() {
    if (!frozen) {
      stopped = true;
      frozen = true;
    }
  }

  /** The attempt is over: nothing that arrives later changes it. */
  void finish() {
    frozen = true;
  }

  boolean counts() {
    return vendorInput != null || vendorOutput != null || outputChars > 0 || (stopped && sent);
  }

  long inputTokens() {
    return !counts() ? 0 : vendorInput != null ? vendorInput : TokenEstimate.ofChars(promptChars);
  }

  long outputTokens() {
    return !counts() ? 0 : vendorOutput != null ? vendorOutput : TokenEstimate.ofChars(outputChars);
  }

  /** Whether a count of this attempt is an estimate. */
  boolean estimated() {
    return counts() && (vendorInput == null || vendorOutput == null);
  }
}
