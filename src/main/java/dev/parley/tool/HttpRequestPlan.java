package dev.parley.tool;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The request an HTTP tool makes for the model's arguments: the URL template with each {@code {param}} replaced by
 * the argument percent-encoded (every byte but letters, digits, {@code -}, {@code _}, {@code .} and {@code ~}, so
 * {@code ../admin} becomes the single segment {@code ..%2Fadmin}; a path value that is only dots is refused), the
 * {@code query} mapping (or, for GET and DELETE without one, the arguments the URL did not use), and for POST, PUT
 * and PATCH the JSON body: the {@code body} template (a string that is exactly {@code "{param}"} takes the
 * argument's JSON value, other strings get the text in) or else the arguments. Headers are never templated.
 */
record HttpRequestPlan(String method, String url, String body) {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-zA-Z0-9_-]{1,64})}");

  /** Refused arguments: the message goes to the model as the tool's error result. */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  static HttpRequestPlan of(JsonObject tool, JsonObject arguments) {
    String method = tool.getString("method", "GET");
    Set<String> used = new HashSet<>();
    String url = fill(tool.getString("url"), arguments, used, true);
    StringBuilder query = new StringBuilder();
    JsonObject mapping = tool.getJsonObject("query", new JsonObject());
    boolean sendsBody = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    if (!mapping.isEmpty()) {
      for (Map.Entry<String, Object> entry : mapping) {
        append(query, entry.getKey(), fill((String) entry.getValue(), arguments, used, false));
      }
    } else if (!sendsBody) {
      for (String name : arguments.fieldNames()) {
        Object value = arguments.getValue(name);
        if (!used.contains(name) && value != null) {
          append(query, name, text(value));
        }
      }
    }
    if (query.length() > 0) {
      int hash = url.indexOf('#');
      String base = hash < 0 ? url : url.substring(0, hash);
      url = base + (base.contains("?") ? "&" : "?") + query;
    }
    String body = null;
    if (sendsBody) {
      Object template = tool.getValue("body");
      body = template instanceof JsonObject shape ? ((JsonObject) fillJson(shape, arguments)).encode() : arguments.encode();
    }
    return new HttpRequestPlan(method, url, body);
  }

  private static void append(StringBuilder query, String name, String value) {
    query.append(query.length() == 0 ? "" : "&").append(encode(name)).append('=').append(encode(value));
  }

  /** The template with its placeholders replaced; in a URL, encoded. */
  private static String fill(String template, JsonObject arguments, Set<String> used, boolean inUrl) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    int queryStart = template.indexOf('?');
    while (m.find()) {
      String name = m.group(1);
      used.add(name);
      Object value = arguments.getValue(name);
      if (value == null) {
        throw new Refused("The argument '" + name + "' is missing");
      }
      String text = text(value);
      boolean inPath = inUrl && (queryStart < 0 || m.start() < queryStart);
      if (inPath && (text.isEmpty() || text.chars().allMatch(c -> c == '.'))) {
        throw new Refused("The argument '" + name + "' may not be empty or only dots");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(inUrl ? encode(text) : text));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static Object fillJson(Object template, JsonObject arguments) {
    if (template instanceof JsonObject object) {
      JsonObject out = new JsonObject();
      for (Map.Entry<String, Object> entry : object) {
        out.put(entry.getKey(), fillJson(entry.getValue(), arguments));
      }
      return out;
    }
    if (template instanceof JsonArray array) {
      JsonArray out = new JsonArray();
      for (Object item : array) {
        out.add(fillJson(item, arguments));
      }
      return out;
    }
    if (template instanceof String text) {
      Matcher whole = PLACEHOLDER.matcher(text);
      if (whole.matches()) {
        return arguments.getValue(whole.group(1));
      }
      return fill(text, arguments, new HashSet<>(), false);
    }
    return template;
  }

  private static String text(Object value) {
    return value instanceof String s ? s : io.vertx.core.json.Json.encode(value);
  }

  /** RFC 3986 percent-encoding of everything but the unreserved characters. */
  static String encode(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
