package dev.parley.http;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Query parameters of the admin routes, read or refused with 400 {@code invalid_parameter} naming the parameter. */
final class QueryParams {

  private QueryParams() {
  }

  /** The parameter, null when absent; refused when it is given more than once. */
  static String single(RoutingContext ctx, String name) {
    List<String> values = ctx.queryParams().getAll(name);
    if (values.size() > 1) {
      throw invalid(name, "'" + name + "' may be given once");
    }
    return values.isEmpty() ? null : values.get(0);
  }

  /** A whole number from {@code min} to {@code max}, or {@code fallback} when absent. */
  static int whole(RoutingContext ctx, String name, int fallback, int min, int max) {
    String raw = ctx.queryParams().get(name);
    if (raw == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException notANumber) {
      // refused below
    }
    throw invalid(name, "'" + name + "' must be a whole number from " + min + " to " + max);
  }

  /** Epoch milliseconds from digits, or from an ISO-8601 time with an offset; null when absent. */
  static Long time(RoutingContext ctx, String name) {
    String raw = single(ctx, name);
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    if (raw.length() <= 15 && raw.chars().allMatch(Character::isDigit)) {
      return Long.parseLong(raw);
    }
    try {
      return OffsetDateTime.parse(raw).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException bad) {
      throw invalid(name, "'" + name + "' must be an ISO-8601 time with an offset, such as 2026-12-05T09:00:00Z, "
          + "or epoch milliseconds");
    }
  }

  private static ParleyException invalid(String field, String message) {
    return new ParleyException(ErrorCodes.BAD_REQUEST, "invalid_parameter", message, field, 0);
  }
}
