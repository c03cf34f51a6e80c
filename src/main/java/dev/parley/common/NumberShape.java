package dev.parley.common;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides what a run of digits and separators that {@link PiiRedactor} found is: a payment card number, a phone
 * number, or neither (null). Linear in the run, which the pattern bounds.
 */
final class NumberShape {

  private final List<Integer> groups = new ArrayList<>();
  /** The separator before each group after the first: ' ', '-', '.', or 0 for only a parenthesis. */
  private final List<Character> separators = new ArrayList<>();
  private final StringBuilder digits = new StringBuilder();
  private boolean plus;
  private int parenGroup = -1;

  private NumberShape() {
  }

  /** {@link PiiRedactor#CARD}, {@link PiiRedactor#PHONE} or null for the run {@code text[start, end)}. */
  static String classify(String text, int start, int end) {
    if (followedByMore(text, end)) {
      return null;
    }
    NumberShape shape = parse(text, start, end);
    if (shape == null) {
      return null;
    }
    int count = shape.digits.length();
    if (!shape.plus && shape.parenGroup < 0 && count >= 13 && count <= 19) {
      return shape.card() ? PiiRedactor.CARD : null;
    }
    return shape.phone() ? PiiRedactor.PHONE : null;
  }

  /** A run that goes on as something else: a word, a decimal or thousands part, a time, a path, an address. */
  private static boolean followedByMore(String text, int end) {
    if (end >= text.length()) {
      return false;
    }
    char next = text.charAt(end);
    if (Character.isLetterOrDigit(next) || next == '/' || next == '@' || next == '_' || next == '%') {
      return true;
    }
    return (next == ':' || next == ',' || next == '.' || next == '-')
        && end + 1 < text.length() && Character.isDigit(text.charAt(end + 1));
  }

  private static NumberShape parse(String text, int start, int end) {
    NumberShape shape = new NumberShape();
    int i = start;
    if (text.charAt(i) == '+') {
      shape.plus = true;
      i++;
    }
    char pending = 0;
    boolean open = false;
    int length = 0;
    for (; i < end; i++) {
      char c = text.charAt(i);
      if (Character.isDigit(c)) {
        if (length == 0 && !shape.groups.isEmpty()) {
          shape.separators.add(pending);
        }
        shape.digits.append(c);
        length++;
        continue;
      }
      if (length > 0) {
        shape.groups.add(length);
        length = 0;
        pending = 0;
      }
      if (c == '(') {
        if (open || shape.parenGroup >= 0) {
          return null;
        }
        open = true;
        shape.parenGroup = shape.groups.size();
      } else if (c == ')') {
        if (!open || shape.groups.size() != shape.parenGroup + 1) {
          return null;
        }
        open = false;
      } else {
        if (pending != 0) {
          return null; // one separator between groups: "555 - 0199" or "5  5" is not how a number is written
        }
        pending = c;
      }
    }
    if (length > 0) {
      shape.groups.add(length);
    }
    return open ? null : shape;
  }

  private boolean card() {
    int count = digits.length();
    if (groups.size() > 1) {
      char separator = separators.get(0);
      if (separator != ' ' && separator != '-' || separators.stream().anyMatch(s -> s != separator)) {
        return false;
      }
      if (!cardGrouping()) {
        return false;
      }
    }
    return brand(digits.toString(), count) && luhn(digits);
  }

  /** 4-4-4-4 (and a last group of 1 to 4 for other lengths), or 4-6-5 and 4-6-4 (American Express, Diners). */
  private boolean cardGrouping() {
    if (groups.size() == 3 && groups.get(0) == 4 && groups.get(1) == 6 && (groups.get(2) == 5 || groups.get(2) == 4)) {
      return true;
    }
    for (int k = 0; k < groups.size() - 1; k++) {
      if (groups.get(k) != 4) {
        return false;
      }
    }
    int last = groups.get(groups.size() - 1);
    return groups.size() >= 4 && last >= 1 && last <= 4;
  }

  /** Whether the number starts like a card of its length (Visa, Mastercard, Amex, Diners, Discover, JCB, UnionPay, Maestro). */
  private static boolean brand(String n, int length) {
    int two = Integer.parseInt(n.substring(0, 2));
    int four = Integer.parseInt(n.substring(0, 4));
    if (n.charAt(0) == '4') {
      return length == 13 || length == 16 || length == 19;
    }
    if (two >= 51 && two <= 55 || four >= 2221 && four <= 2720) {
      return length == 16;
    }
    if (two == 34 || two == 37) {
      return length == 15;
    }
    if (two == 36 || two == 38 || two == 39 || four >= 3000 && four <= 3059) {
      return length >= 14 && length <= 16;
    }
    if (four >= 3528 && four <= 3589) {
      return length >= 16;
    }
    return (two == 50 || two >= 56 && two <= 69) && length >= 13;
  }

  private static boolean luhn(CharSequence number) {
    int sum = 0;
    for (int k = 0; k < number.length(); k++) {
      int digit = number.charAt(number.length() - 1 - k) - '0';
      if (k % 2 == 1) {
        digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
      }
      sum += digit;
    }
    return sum % 10 == 0;
  }

  private boolean phone() {
    int count = digits.length();
    int last = groups.get(groups.size() - 1);
    if (last < 2 || groups.size() > 7 || groups.size() > 1 && groups.stream().anyMatch(g -> g > 10)) {
      return false;
    }
    if (plus) {
      return groups.size() == 1 ? count >= 10 && count <= 15
          : count >= 8 && count <= 15 && groups.get(0) <= 4 && (parenGroup < 0 || parenGroup >= 1);
    }
    boolean leadingZero = digits.charAt(0) == '0';
    if (count < 10 || count > (leadingZero ? 12 : 11) || groups.size() < 2 || groups.get(0) > 5) {
      return false;
    }
    if (parenGroup > 0 || dateLike() || ipLike()) {
      return false;
    }
    if (groups.get(0) == 1) {
      // a leading 1 is the North American trunk prefix: 1 800 555 0199
      return digits.charAt(0) == '1' && groups.size() == 4 && groups.get(1) == 3 && groups.get(2) == 3 && groups.get(3) == 4;
    }
    return groups.stream().allMatch(g -> g >= 2);
  }

  /** 2024-01-15 …, 2024.01.15 …, 15.01.2024 …, 01-15-2024 … */
  private boolean dateLike() {
    if (groups.size() < 3 || separators.get(0) == ' ' || separators.get(0) != separators.get(1)) {
      return false;
    }
    return groups.get(0) == 4 && groups.get(1) <= 2 && groups.get(2) <= 2
        || groups.get(0) <= 2 && groups.get(1) <= 2 && groups.get(2) == 4;
  }

  private boolean ipLike() {
    return groups.size() == 4 && separators.stream().allMatch(s -> s == '.') && groups.stream().allMatch(g -> g <= 3);
  }
}
