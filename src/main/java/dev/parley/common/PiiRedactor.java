package dev.parley.common;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces personal data in text with placeholders: e-mail addresses by {@code [EMAIL]}, phone numbers by
 * {@code [PHONE]}, payment card numbers (a card brand's prefix and length, passing Luhn) by {@code [CARD]}, and IBANs
 * (their country's length, passing mod 97) by {@code [IBAN]}. A bot's {@code redact_pii} says where ({@link Mode}).
 *
 * <p>Each pattern only finds a candidate; code then decides, so that no pattern needs to backtrack: every
 * quantifier is bounded and possessive, and a lookbehind keeps a candidate from starting inside a longer token.
 * The work is linear in the text (each position starts at most a bounded scan). Phone numbers are the guess: a
 * number with a {@code +} country code and 8 to 15 digits, or a national number of 10 or 11 digits (12 when it
 * starts with 0) written in groups (spaces, dashes, dots, an area code in parentheses). Order numbers, dates,
 * times, versions, prices and tracking numbers are left alone: they are too long, too short, joined to letters,
 * {@code #}, {@code /} or {@code :}, shaped like a date, or fail the checksums.
 */
public final class PiiRedactor {

  /** Where a bot redacts: nowhere, in what it stores and logs, or also in what it sends to the model. */
  public enum Mode {
    OFF, STORE, MODEL;

    /** The bot's {@code redact_pii} ({@code off} when absent). */
    public static Mode of(JsonObject bot) {
      return switch (String.valueOf(bot.getValue("redact_pii"))) {
        case "store" -> STORE;
        case "model" -> MODEL;
        default -> OFF;
      };
    }

    public boolean stored() {
      return this != OFF;
    }

    public boolean sentToModel() {
      return this == MODEL;
    }
  }

  public static final String EMAIL = "[EMAIL]";
  public static final String PHONE = "[PHONE]";
  public static final String CARD = "[CARD]";
  public static final String IBAN = "[IBAN]";

  private static final Pattern EMAIL_CANDIDATE = Pattern.compile(
      "(?<![\\p{L}\\p{N}._%+-])[\\p{L}\\p{N}._%+-]{1,64}+@[\\p{L}\\p{N}-]{1,63}+(?:\\.[\\p{L}\\p{N}-]{1,63}+){1,8}+");
  private static final Pattern IBAN_START = Pattern.compile("(?<![\\p{L}\\p{N}])[A-Za-z]{2}\\d{2}(?=[ A-Za-z0-9])");
  /** A run of digits and phone separators, not inside a word, a longer number, a price, a path or a reference. */
  private static final Pattern NUMBER_CANDIDATE = Pattern.compile(
      "(?<![\\p{L}\\p{N}+#/.,_$€£¥\\-])\\+?\\(?\\d[\\d \\-.()]{4,40}+");

  private static final Map<String, Integer> IBAN_LENGTHS = ibanLengths();

  private PiiRedactor() {
  }

  /** {@code text} with every e-mail address, phone number, card number and IBAN replaced; null stays null. */
  public static String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    return numbers(emails(ibans(text)));
  }

  /** A copy of {@code messages} ({@code [{role, content}]}) with each content redacted. */
  public static JsonArray redactMessages(JsonArray messages) {
    JsonArray redacted = new JsonArray();
    for (Object item : messages) {
      JsonObject message = ((JsonObject) item).copy();
      message.put(Fields.CONTENT, redact(message.getString(Fields.CONTENT)));
      redacted.add(message);
    }
    return redacted;
  }

  private static String emails(String text) {
    if (text.indexOf('@') < 0) {
      return text;
    }
    Matcher m = EMAIL_CANDIDATE.matcher(text);
    StringBuilder out = null;
    int copied = 0;
    while (m.find()) {
      String found = m.group();
      int at = found.indexOf('@');
      String domain = found.substring(at + 1);
      String tld = domain.substring(domain.lastIndexOf('.') + 1);
      if (found.charAt(0) == '.' || found.charAt(at - 1) == '.' || tld.length() < 2 || !tld.chars().allMatch(Character::isLetter)) {
        continue;
      }
      out = out == null ? new StringBuilder(text.length()) : out;
      out.append(text, copied, m.start()).append(EMAIL);
      copied = m.end();
    }
    return out == null ? text : out.append(text, copied, text.length()).toString();
  }

  private static String ibans(String text) {
    Matcher m = IBAN_START.matcher(text);
    StringBuilder out = null;
    int copied = 0;
    int from = 0;
    while (from < text.length() && m.find(from)) {
      int end = ibanEnd(text, m.start());
      if (end < 0) {
        from = m.start() + 1;
        continue;
      }
      out = out == null ? new StringBuilder(text.length()) : out;
      out.append(text, copied, m.start()).append(IBAN);
      copied = end;
      from = end;
    }
    return out == null ? text : out.append(text, copied, text.length()).toString();
  }

  /** Where the IBAN starting at {@code start} ends, or -1 when none does (length, grouping or checksum). */
  private static int ibanEnd(String text, int start) {
    String country = text.substring(start, start + 2).toUpperCase(java.util.Locale.ROOT);
    Integer length = IBAN_LENGTHS.get(country);
    if (length == null) {
      return -1;
    }
    StringBuilder iban = new StringBuilder(length);
    int i = start;
    while (i < text.length() && iban.length() < length) {
      char c = text.charAt(i);
      if (isAsciiAlnum(c)) {
        iban.append(Character.toUpperCase(c));
        i++;
      } else if (c == ' ' && iban.length() >= 4 && i + 1 < text.length() && isAsciiAlnum(text.charAt(i + 1))) {
        i++;
      } else {
        return -1;
      }
    }
    if (iban.length() < length || (i < text.length() && Character.isLetterOrDigit(text.charAt(i)))) {
      return -1;
    }
    for (int k = 2; k < 4; k++) {
      if (!Character.isDigit(iban.charAt(k))) {
        return -1;
      }
    }
    return mod97(iban) == 1 ? i : -1;
  }

  private static int mod97(CharSequence iban) {
    int rest = 0;
    for (int k = 0; k < iban.length(); k++) {
      char c = iban.charAt((k + 4) % iban.length());
      int value = Character.isDigit(c) ? c - '0' : c - 'A' + 10;
      rest = value >= 10 ? (rest * 100 + value) % 97 : (rest * 10 + value) % 97;
    }
    return rest;
  }

  private static String numbers(String text) {
    Matcher m = NUMBER_CANDIDATE.matcher(text);
    StringBuilder out = null;
    int copied = 0;
    while (m.find()) {
      int end = trimmedEnd(text, m.start(), m.end());
      String placeholder = NumberShape.classify(text, m.start(), end);
      if (placeholder == null) {
        continue;
      }
      out = out == null ? new StringBuilder(text.length()) : out;
      out.append(text, copied, m.start()).append(placeholder);
      copied = end;
    }
    return out == null ? text : out.append(text, copied, text.length()).toString();
  }

  /** The end of the candidate without trailing separators (a closing parenthesis stays only when one was opened). */
  private static int trimmedEnd(String text, int start, int end) {
    int e = end;
    while (e > start && !Character.isDigit(text.charAt(e - 1))) {
      e--;
    }
    return e;
  }

  static boolean isAsciiAlnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }

  private static Map<String, Integer> ibanLengths() {
    String table = "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 EE20 EG29 "
        + "ES24 FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 "
        + "LC32 LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 NO15 PK24 PL28 PS29 PT25 QA29 RO24 RS22 "
        + "SA24 SC31 SE24 SI19 SK24 SM27 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20";
    Map<String, Integer> lengths = new java.util.HashMap<>();
    for (String entry : table.split(" ")) {
      lengths.put(entry.substring(0, 2), Integer.parseInt(entry.substring(2)));
    }
    return Map.copyOf(lengths);
  }
}
