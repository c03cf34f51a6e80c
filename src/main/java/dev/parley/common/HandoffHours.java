package dev.parley.common;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * A bot's handoff hours: {@code {timezone: "Europe/Paris", weekly: {mon: ["09:00-12:00", "13:00-17:30"], …}}}
 * (days {@code mon}…{@code sun}; a day left out has no hours; "00:00-24:00" is the whole day). No hours at all
 * (null) means always open.
 */
public final class HandoffHours {

  private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

  private HandoffHours() {
  }

  /** The hours as stored; an {@link IllegalArgumentException} with a message for people when they are malformed. */
  public static JsonObject validate(Object value) {
    if (!(value instanceof JsonObject hours)) {
      throw new IllegalArgumentException("'handoff.hours' must be an object {timezone, weekly} or null");
    }
    for (String key : hours.fieldNames()) {
      if (!key.equals("timezone") && !key.equals("weekly")) {
        throw new IllegalArgumentException("Unknown field 'handoff.hours." + key + "'");
      }
    }
    String zone = hours.getValue("timezone") instanceof String text ? text : null;
    try {
      ZoneId.of(zone == null ? "" : zone);
    } catch (DateTimeException bad) {
      throw new IllegalArgumentException("'handoff.hours.timezone' must be a time zone such as Europe/Paris or UTC");
    }
    if (!(hours.getValue("weekly") instanceof JsonObject weekly)) {
      throw new IllegalArgumentException("'handoff.hours.weekly' must be an object of days (mon…sun) to ranges (\"09:00-17:00\")");
    }
    JsonObject days = new JsonObject();
    for (String day : weekly.fieldNames()) {
      if (!DAYS.contains(day)) {
        throw new IllegalArgumentException("'handoff.hours.weekly' takes the days mon, tue, wed, thu, fri, sat, sun");
      }
      if (!(weekly.getValue(day) instanceof JsonArray ranges) || ranges.size() > 10) {
        throw new IllegalArgumentException("'handoff.hours.weekly." + day + "' must be a list of at most 10 ranges");
      }
      for (Object range : ranges) {
        bounds(range, day);
      }
      days.put(day, ranges.copy());
    }
    return new JsonObject().put("timezone", zone).put("weekly", days);
  }

  /** Whether {@code at} is within the hours (always, for null hours). */
  public static boolean open(JsonObject hours, Instant at) {
    if (hours == null) {
      return true;
    }
    ZonedDateTime local = at.atZone(ZoneId.of(hours.getString("timezone", "UTC")));
    String day = local.getDayOfWeek().name().substring(0, 3).toLowerCase(Locale.ROOT);
    JsonArray ranges = hours.getJsonObject("weekly", new JsonObject()).getJsonArray(day, new JsonArray());
    int minute = local.getHour() * 60 + local.getMinute();
    for (Object range : ranges) {
      int[] bounds = bounds(range, day);
      if (minute >= bounds[0] && minute < bounds[1]) {
        return true;
      }
    }
    return false;
  }

  private static int[] bounds(Object range, String day) {
    String text = range instanceof String s ? s.strip() : "";
    String[] parts = text.split("-");
    try {
      if (parts.length != 2) {
        throw new DateTimeParseException("no range", text, 0);
      }
      int from = minutes(parts[0]);
      int to = minutes(parts[1]);
      if (from >= to) {
        throw new DateTimeParseException("empty range", text, 0);
      }
      return new int[] {from, to};
    } catch (DateTimeParseException bad) {
      throw new IllegalArgumentException("'handoff.hours.weekly." + day + "' ranges look like \"09:00-17:00\"");
    }
  }

  private static int minutes(String time) {
    if (time.strip().equals("24:00")) {
      return 24 * 60;
    }
    LocalTime parsed = LocalTime.parse(time.strip());
    return parsed.getHour() * 60 + parsed.getMinute();
  }
}
