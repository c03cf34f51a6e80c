package dev.parley.tool;

import dev.parley.common.UnicodeText;

/**
 * Why a tool call failed, as the model is told it ({@code message}) and as the log and metrics count it
 * ({@code code}: invalid_arguments, timeout, tool_failed, tool_unreachable, response_too_large, url_not_allowed,
 * rate_limited, tool_unavailable, tool_misconfigured). Never carries a secret, a header or a stack.
 */
final class ToolFailure extends RuntimeException {

  private final String code;

  ToolFailure(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  String code() {
    return code;
  }

  static String shorten(String text, int max) {
    return text.length() <= max ? text : UnicodeText.prefix(text, max) + "…";
  }
}
