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
   * Whether {@code text} holds a control character (a line break, a tab, a bell), a line or paragraph separator, or an
   * invisible format character (a zero-width space, a byte-order mark, a direction override that shows a name
   * reversed): what a display name must not hold. The joiners stay allowed (emoji sequences, scripts that need them).
   */
  public static boolean hasControlOrInvisible(String text) {
    return text.codePoints().anyMatch(UnicodeText::controlOrInvisible);
  }

  private static boolean controlOrInvisible(int c) {
    int type = Character.getType(c);
    return Character.isISOControl(c) || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.FORMAT && c != 0x200C && c != 0x200D;
  }

  /**
   * {@code text} with each run of the characters {@link #hasControlOrInvisible} finds made one space, stripped: a name
   * from elsewhere (a sign-on provider's claim) made one line.
   */
  public static String oneLine(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean gap = false;
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (controlOrInvisible(c)) {
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

  /**
   * Whether {@code text} holds a control character (a line break, a bell) or a format character (a zero-width space, a
   * direction override): what a one-line field, such as an address, must not hold.
   */
  public static boolean hasControlOrFormat(String text) {
    return text.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT);
  }
}
