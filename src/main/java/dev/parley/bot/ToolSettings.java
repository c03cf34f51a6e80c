package dev.parley.bot;

import dev.parley.common.ParleyException;
import dev.parley.common.SecretBox;
import dev.parley.common.ToolSchema;
import dev.parley.common.WebAddresses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bot's {@code tools} (docs/tools.md), validated on save: every problem is a 422 naming the field
 * ({@code tools[2].url}). The list is replaced as a whole; a tool's {@code secret_headers} are write-only like
 * {@code api_key}: a value is encrypted (bound to the bot id, {@link #seal}) and shown only as
 * {@code secret_headers_hint}, a tool saved again without them keeps the ones stored under its name, and a
 * header given as null is removed.
 */
final class ToolSettings {

  static final int MAX_TOOLS = 32;
  static final int DEFAULT_MAX_STEPS = 5;
  static final int MAX_STEPS = 20;
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
  private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-zA-Z0-9_-]{1,64})}");
  private static final Set<String> TYPES = Set.of("http", "mcp", "bus", "handoff", "knowledge_search");
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
  private static final Set<String> COMMON = Set.of("type", "name", "description", "label", "timeout_ms");
  private static final Set<String> HTTP = Set.of("parameters", "method", "url", "query", "body", "headers",
      "secret_headers", "secret_headers_set", "secret_headers_hint", "max_response_bytes");
  private static final Set<String> BUS = Set.of("parameters");
  private static final Set<String> MCP = Set.of("url", "headers", "secret_headers", "secret_headers_set",
      "secret_headers_hint", "allowed_tools");
  /** Headers of the MCP exchange itself, which an mcp tool may not set. */
  private static final Set<String> MCP_RESERVED = Set.of("accept", "content-type", "mcp-session-id",
      "mcp-protocol-version", "last-event-id");
  /** An mcp tool's name prefixes its server's tools ({@code <name>__<tool>}), so it is kept short. */
  static final int MCP_NAME_MAX = 32;
  /** Headers an operator may not set: the client sets them, or they would change how the exchange is framed. */
  private static final Set<String> RESERVED = Set.of("host", "content-length", "transfer-encoding", "connection",
      "upgrade", "te", "trailer", "keep-alive", "proxy-authorization", "proxy-connection");
  private static final JsonObject HANDOFF_PARAMETERS = new JsonObject().put("type", "object").put("properties",
      new JsonObject().put("reason", new JsonObject().put("type", "string").put("maxLength", 500)
          .put("description", "Why the visitor needs a person, in one sentence")));
  private static final JsonObject SEARCH_PARAMETERS = new JsonObject().put("type", "object").put("properties",
      new JsonObject().put("query", new JsonObject().put("type", "string").put("minLength", 1).put("maxLength", 1000)
          .put("description", "What to look for in the knowledge base"))).put("required", new JsonArray().add("query"));

  private ToolSettings() {
  }

  /** The bot's {@code max_tool_steps}: model calls that may ask for tools in one turn (1–20, default 5). */
  static int maxSteps(Object value) {
    if (value == null) {
      return DEFAULT_MAX_STEPS;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 1
        || n.doubleValue() > MAX_STEPS) {
      throw ParleyException.invalid("max_tool_steps", "'max_tool_steps' must be a whole number from 1 to " + MAX_STEPS);
    }
    return n.intValue();
  }

  /** The validated list; {@code stored} is the list before (whose secrets a tool of the same name keeps). */
  static JsonArray validate(Object value, JsonArray stored) {
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray list)) {
      throw ParleyException.invalid("tools", "'tools' must be a list of tools");
    }
    if (list.size() > MAX_TOOLS) {
      throw ParleyException.invalid("tools", "'tools' takes at most " + MAX_TOOLS + " tools");
    }
    JsonArray tools = new JsonArray();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String field = "tools[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject tool)) {
        throw ParleyException.invalid(field, "'" + field + "' must be an object");
      }
      JsonObject valid = tool(field, tool.copy(), stored);
      if (!names.add(valid.getString("name"))) {
        throw ParleyException.invalid(field + ".name", "'" + field + ".name' is used by another tool of this bot");
      }
      tools.add(valid);
    }
    return tools;
  }

  private static JsonObject tool(String field, JsonObject tool, JsonArray stored) {
    Object type = tool.getValue("type");
    if (!(type instanceof String t) || !TYPES.contains(t)) {
      throw ParleyException.invalid(field + ".type", "'" + field
          + ".type' must be http, mcp, bus, handoff or knowledge_search");
    }
    Set<String> allowed = new HashSet<>(COMMON);
    // a built-in's parameters are its own: sent back as the admin read them, they are ignored
    allowed.addAll(t.equals("http") ? HTTP : t.equals("mcp") ? MCP : BUS);
    for (String key : tool.fieldNames()) {
      if (!allowed.contains(key)) {
        throw ParleyException.invalid(field + "." + key, "Unknown field '" + field + "." + key + "' for a " + t + " tool");
      }
    }
    String name = tool.getValue("name") == null && !t.equals("http") && !t.equals("bus") && !t.equals("mcp") ? t
        : text(field + ".name", tool.getValue("name"), 1, t.equals("mcp") ? MCP_NAME_MAX : 64);
    if (!NAME.matcher(name).matches()) {
      throw ParleyException.invalid(field + ".name", "'" + field + ".name' must be 1 to 64 letters, digits, _ or -");
    }
    JsonObject valid = new JsonObject().put("type", t).put("name", name);
    String description = tool.getValue("description") == null ? defaultDescription(t)
        : text(field + ".description", tool.getValue("description"), 0, 2000);
    valid.put("description", description);
    valid.put("label", tool.getValue("label") == null ? null : text(field + ".label", tool.getValue("label"), 1, 100));
    valid.put("timeout_ms", whole(field + ".timeout_ms", tool.getValue("timeout_ms"), 100, 60_000, 10_000));
    switch (t) {
      case "handoff" -> valid.put("parameters", HANDOFF_PARAMETERS.copy());
      case "knowledge_search" -> valid.put("parameters", SEARCH_PARAMETERS.copy());
      case "bus" -> valid.put("parameters", parameters(field, tool.getValue("parameters")));
      case "mcp" -> mcp(field, tool, valid, stored);
      default -> http(field, tool, valid, stored);
    }
    return valid;
  }

  private static String defaultDescription(String type) {
    return switch (type) {
      case "handoff" -> "Hands the conversation to a person on the team. Use it when the visitor asks for a person "
          + "or when you cannot help them.";
      case "knowledge_search" -> "Searches this assistant's knowledge base and returns the most relevant passages.";
      default -> "";
    };
  }

  private static JsonObject parameters(String field, Object value) {
    JsonObject schema = value == null ? new JsonObject().put("type", "object").put("properties", new JsonObject())
        : value instanceof JsonObject given ? given : null;
    ToolSchema.check(field + ".parameters", schema);
    if (schema.encode().length() > 16_000) {
      throw ParleyException.invalid(field + ".parameters", "'" + field + ".parameters' is longer than 16000 characters");
    }
    return schema;
  }

  private static void http(String field, JsonObject tool, JsonObject valid, JsonArray stored) {
    JsonObject schema = parameters(field, tool.getValue("parameters"));
    valid.put("parameters", schema);
    Object method = tool.getValue("method") == null ? "GET" : tool.getValue("method");
    if (!(method instanceof String m) || !METHODS.contains(m)) {
      throw ParleyException.invalid(field + ".method", "'" + field + ".method' must be GET, POST, PUT, PATCH or DELETE");
    }
    valid.put("method", m);
    Set<String> known = schema.getJsonObject("properties", new JsonObject()).fieldNames();
    String url = text(field + ".url", tool.getValue("url"), 1, 2000).strip();
    valid.put("url", urlTemplate(field + ".url", url, known));
    valid.put("query", mapping(field + ".query", tool.getValue("query"), known, false));
    Object body = tool.getValue("body");
    if (body != null && !(body instanceof JsonObject)) {
      throw ParleyException.invalid(field + ".body", "'" + field + ".body' must be an object (a JSON body template)");
    }
    if (body != null) {
      placeholdersKnown(field + ".body", ((JsonObject) body).encode(), known);
    }
    valid.put("body", body);
    valid.put("headers", mapping(field + ".headers", tool.getValue("headers"), known, true));
    valid.put("max_response_bytes", whole(field + ".max_response_bytes", tool.getValue("max_response_bytes"), 1, 1_048_576,
        65_536));
    valid.put("secret_headers", secretHeaders(field + ".secret_headers", tool.getValue("secret_headers"),
        storedSecrets(stored, valid.getString("name")), valid.getJsonObject("headers")));
  }

  /**
   * An mcp tool: the server's Streamable HTTP {@code url} (no placeholders), plain and secret {@code headers}, and
   * {@code allowed_tools} (names as the server lists them; left out, every tool it lists).
   */
  private static void mcp(String field, JsonObject tool, JsonObject valid, JsonArray stored) {
    valid.put("url", WebAddresses.url(field + ".url", text(field + ".url", tool.getValue("url"), 1, 2000), false));
    JsonObject headers = mapping(field + ".headers", tool.getValue("headers"), Set.of(), true);
    valid.put("headers", headers);
    valid.put("secret_headers", secretHeaders(field + ".secret_headers", tool.getValue("secret_headers"),
        storedSecrets(stored, valid.getString("name")), headers));
    for (String header : headers.copy().mergeIn(valid.getJsonObject("secret_headers")).fieldNames()) {
      if (MCP_RESERVED.contains(header.toLowerCase(java.util.Locale.ROOT))) {
        throw ParleyException.invalid(field + ".headers." + header, "'" + header
            + "' is a header of the MCP exchange itself and cannot be set");
      }
    }
    Object only = tool.getValue("allowed_tools");
    if (only != null) {
      if (!(only instanceof JsonArray list) || list.size() > 128) {
        throw ParleyException.invalid(field + ".allowed_tools", "'" + field
            + ".allowed_tools' must be a list of at most 128 tool names");
      }
      JsonArray names = new JsonArray();
      for (int i = 0; i < list.size(); i++) {
        String one = text(field + ".allowed_tools[" + i + "]", list.getValue(i), 1, 128);
        if (!names.contains(one)) {
          names.add(one);
        }
      }
      valid.put("allowed_tools", names);
    }
  }

  /**
   * The template with its placeholders in the path or query only: the host is the operator's, never the model's. Its
   * scheme and authority are saved as {@link WebAddresses} writes them, as every other stored URL is.
   */
  private static String urlTemplate(String field, String url, Set<String> known) {
    placeholdersKnown(field, url, known);
    String filled = PLACEHOLDER.matcher(url).replaceAll("x");
    if (filled.contains("{") || filled.contains("}")) {
      throw ParleyException.invalid(field, "'" + field + "' has a brace that is not a {parameter} placeholder");
    }
    int scheme = url.indexOf("://");
    int hostEnd = scheme < 0 ? -1 : indexOfAny(url, scheme + 3, "/?#");
    String authority = scheme < 0 ? url : url.substring(scheme + 3, hostEnd < 0 ? url.length() : hostEnd);
    if (authority.contains("{")) {
      throw ParleyException.invalid(field, "'" + field + "' may have placeholders in its path and query, not its host");
    }
    WebAddresses.url(field, filled, false);
    // scheme and host as a browser writes them (they hold no placeholder); the path and query as given
    int end = hostEnd < 0 ? url.length() : hostEnd;
    return WebAddresses.url(field, url.substring(0, end), false) + url.substring(end);
  }

  private static int indexOfAny(String text, int from, String chars) {
    for (int i = from; i < text.length(); i++) {
      if (chars.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  private static void placeholdersKnown(String field, String template, Set<String> known) {
    Matcher m = PLACEHOLDER.matcher(template);
    while (m.find()) {
      if (!known.contains(m.group(1))) {
        throw ParleyException.invalid(field, "'" + field + "' uses {" + m.group(1) + "}, which is not one of the "
            + "tool's parameters");
      }
    }
  }

  /** Query parameters or headers: name → text template ({@code {param}} placeholders allowed in query values). */
  private static JsonObject mapping(String field, Object value, Set<String> known, boolean headers) {
    if (value == null) {
      return new JsonObject();
    }
    if (!(value instanceof JsonObject map) || map.size() > 32) {
      throw ParleyException.invalid(field, "'" + field + "' must be an object of at most 32 names and text values");
    }
    JsonObject valid = new JsonObject();
    for (Map.Entry<String, Object> entry : map) {
      String key = entry.getKey();
      String text = text(field + "." + key, entry.getValue(), 0, 2000);
      if (headers) {
        header(field, key, text);
      } else {
        placeholdersKnown(field + "." + key, text, known);
      }
      valid.put(key, text);
    }
    return valid;
  }

  private static void header(String field, String name, String value) {
    if (!HEADER.matcher(name).matches() || RESERVED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
      throw ParleyException.invalid(field + "." + name, "'" + field + "." + name + "' is not a header name Parley sets");
    }
    if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
      throw ParleyException.invalid(field + "." + name, "'" + field + "." + name + "' must not contain control characters");
    }
  }

  private static JsonObject storedSecrets(JsonArray stored, String name) {
    for (Object item : stored == null ? new JsonArray() : stored) {
      if (item instanceof JsonObject tool && name.equals(tool.getString("name"))
          && tool.getValue("secret_headers") instanceof JsonObject secrets) {
        return secrets;
      }
    }
    return new JsonObject();
  }

  /**
   * Stored secrets ({@code {name: {enc, hint}}}) with the patch applied: a text is a new value (sealed by
   * {@link #seal}), null removes the header, an absent header stays.
   */
  private static JsonObject secretHeaders(String field, Object value, JsonObject stored, JsonObject headers) {
    JsonObject result = stored.copy();
    if (value == null) {
      return result;
    }
    if (!(value instanceof JsonObject patch) || patch.size() > 16) {
      throw ParleyException.invalid(field, "'" + field + "' must be an object of at most 16 header names and values");
    }
    for (Map.Entry<String, Object> entry : patch) {
      String name = entry.getKey();
      if (entry.getValue() == null) {
        result.remove(name);
        continue;
      }
      String text = text(field + "." + name, entry.getValue(), 1, 4000);
      header(field, name, text);
      if (headers.containsKey(name)) {
        throw ParleyException.invalid(field + "." + name, "'" + name + "' is both a header and a secret header");
      }
      result.put(name, text);
    }
    return result;
  }

  /** Encrypts the new secret header values of {@code settings.tools} (bound to {@code botId}), in place. */
  static void seal(JsonObject settings, SecretBox secrets, String botId) {
    for (Object item : settings.getJsonArray("tools", new JsonArray())) {
      JsonObject tool = (JsonObject) item;
      JsonObject headers = tool.getJsonObject("secret_headers");
      if (headers == null) {
        continue;
      }
      for (String name : headers.fieldNames()) {
        if (headers.getValue(name) instanceof String plain) {
          headers.put(name, new JsonObject().put("enc", secrets.encrypt(plain, botId)).put("hint", SecretBox.hint(plain)));
        }
      }
    }
  }

  /** The tools as the admin sees them: secret header values replaced by their names and hints. */
  static JsonArray publicView(JsonArray tools) {
    JsonArray view = new JsonArray();
    for (Object item : tools) {
      JsonObject tool = ((JsonObject) item).copy();
      if (tool.getValue("secret_headers") instanceof JsonObject secrets) {
        JsonObject hints = new JsonObject();
        for (String name : secrets.fieldNames()) {
          hints.put(name, secrets.getValue(name) instanceof JsonObject sealed ? sealed.getString("hint") : null);
        }
        tool.remove("secret_headers");
        tool.put("secret_headers_set", new JsonArray(new java.util.ArrayList<>(hints.fieldNames())));
        tool.put("secret_headers_hint", hints);
      }
      view.add(tool);
    }
    return view;
  }

  private static String text(String field, Object value, int min, int max) {
    if (!(value instanceof String text) || text.length() < min || text.length() > max || text.indexOf('\u0000') >= 0) {
      throw ParleyException.invalid(field, "'" + field + "' must be a text of " + min + " to " + max + " characters");
    }
    return text;
  }

  private static int whole(String field, Object value, int min, int max, int fallback) {
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < min
        || n.doubleValue() > max) {
      throw ParleyException.invalid(field, "'" + field + "' must be a whole number from " + min + " to " + max);
    }
    return n.intValue();
  }
}
