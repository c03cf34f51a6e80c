package dev.parley.common;

/**
 * Text as Unicode code points, not UTF-16 units: a lone surrogate is not text (UTF-8 cannot hold it, so
 * a store or a response would silently turn it into {@code ?}). Inputs holding one are refused; text
 * Parley cuts itself is cut between code points, never inside a surrogate pair.
 */
public final class UnicodeText {

  private UnicodeText() {
  }

  /** Whether every surrogate in {@code text} is half of a high-low pair. */
  public static boolean wellFormed(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** Where to cut {@code text} to keep at most {@code max} chars: {@code max}, or one less inside a surrogate pair. */
  public static int cutAt(String text, int max) {
    if (max >= text.length()) {
      return text.length();
    }
    return max > 0 && Character.isHighSurrogate(text.charAt(max - 1)) && Character.isLowSurrogate(text.charAt(max))
        ? max - 1 : max;
  }

  /** The first {@code max} chars of {@code text} at most, not ending inside a surrogate pair. */
  public static String prefix(String text, int max) {
    return text.substring(0, cutAt(text, max));
  }

  /**
   * {@code text} with NUL (which PostgreSQL cannot store) replaced by U+FFFD: for text Parley did not write and cannot
   * refuse, such as a document's content or a model's answer. Null stays null.
   */
  public static String withoutNul(String text) {
    return text == null || text.indexOf('\u0000') < 0 ? text : text.replace('\u0000', '\uFFFD');
  }

  /** {@code text} with NUL and every lone surrogate replaced by U+FFFD: a whole text that is stored as it is. */
  public static String replaceInvalid(String text) {
    text = withoutNul(text);
    if (text == null || wellFormed(text)) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i));
      } else {
        out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
      }
    }
    return out.toString();
  }

  /**
   * Whether {@code text} holds a control character (a line break, a bell) or a format character (a zero-width space, a
   * direction override): what a one-line field, such as a name or an address, must not hold.
   */
  /** The direction marks, embeddings, overrides and isolates: text that shows in another order than it is stored. */
  private static final String BIDI_CONTROLS = "\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069";

  /**
   * Whether {@code text} holds a control character (a line break, a tab, a bell) or a direction control (an override
   * that shows a name reversed): what a display name must not hold. Joiners stay allowed (emoji sequences).
   */
  public static boolean hasControlOrBidi(String text) {
    return text.codePoints().anyMatch(c -> Character.isISOControl(c) || BIDI_CONTROLS.indexOf(c) >= 0);
  }

  /**
   * {@code text} with each run of control characters and direction controls ({@link #hasControlOrBidi}) made one
   * space, stripped: a name from elsewhere (a sign-on provider's claim) made one line.
   */
  public static String oneLine(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean gap = false;
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (Character.isISOControl(c) || BIDI_CONTROLS.indexOf(c) >= 0) {
        gap = true;
      } else {
        if (gap && out.length() > 0) {
          out.append(' ');
        }
        gap = false;
        out.appendCodePoint(c);
      }
    }
    return out.toString().strip();
  }

  public static boolean hasControlOrFormat(String text) {
    return text.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT);
  }
}
