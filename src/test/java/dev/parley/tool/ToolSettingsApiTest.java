package dev.parley.tool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A bot's {@code tools} and {@code max_tool_steps} through the admin API: validated on save (422 naming the field),
 * secret headers write-only (encrypted at rest, shown as hints, kept when the tool is saved again without them).
 */
@ParleyTest
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ToolSettingsApiTest {

  static final String CANARY = "Bearer TOOLCANARY-7f3e9a";

  static TestApp app;
  static final List<String> seen = new ArrayList<>();

  @AfterAll
  static void the_secret_never_appeared_in_a_response_or_in_storage() throws Exception {
    assertThat(String.join("\n", seen)).doesNotContain("TOOLCANARY");
    assertThat(app.storedText()).doesNotContain("TOOLCANARY");
  }

  static Future<HttpResponse<Buffer>> send(HttpMethod method, String path, JsonObject body) {
    var request = app.admin(method, path);
    return (body == null ? request.send() : request.sendJsonObject(body))
        .onSuccess(r -> seen.add(r.bodyAsString()));
  }

  static JsonObject orderTool() {
    return new JsonObject().put("type", "http").put("name", "lookup_order").put("label", "Looking up your order…")
        .put("description", "Finds an order").put("method", "GET")
        .put("url", "https://shop.example.com/api/orders/{order_id}")
        .put("query", new JsonObject().put("fields", "status"))
        .put("parameters", new JsonObject().put("type", "object")
            .put("properties", new JsonObject().put("order_id", new JsonObject().put("type", "string")))
            .put("required", new JsonArray().add("order_id")))
        .put("headers", new JsonObject().put("Accept", "application/json"))
        .put("secret_headers", new JsonObject().put("Authorization", CANARY));
  }

  @Test
  void a_bot_keeps_its_tools_with_secret_headers_shown_as_hints_only(VertxTestContext test) {
    JsonObject bot = new JsonObject().put("name", "Shop").put("max_tool_steps", 3)
        .put("tools", new JsonArray().add(orderTool()).add(new JsonObject().put("type", "handoff"))
            .add(new JsonObject().put("type", "knowledge_search"))
            .add(new JsonObject().put("type", "bus").put("name", "loyalty_points")));
    send(HttpMethod.POST, "/api/bots", bot).compose(created -> {
      assertThat(created.statusCode()).isEqualTo(201);
      JsonObject body = created.bodyAsJsonObject();
      assertThat(body.getInteger("max_tool_steps")).isEqualTo(3);
      JsonArray tools = body.getJsonArray("tools");
      assertThat(tools).hasSize(4);
      JsonObject order = tools.getJsonObject(0);
      assertThat(order.containsKey("secret_headers")).isFalse();
      assertThat(order.getJsonArray("secret_headers_set")).containsExactly("Authorization");
      assertThat(order.getJsonObject("secret_headers_hint").getString("Authorization")).isEqualTo("****3e9a");
      assertThat(tools.getJsonObject(1).getString("name")).isEqualTo("handoff");
      assertThat(tools.getJsonObject(2).getJsonObject("parameters").getJsonArray("required")).containsExactly("query");
      String id = body.getString("id");
      // saved again as the admin got it (hints, no secrets): the secret stays
      JsonArray again = tools.copy();
      again.getJsonObject(0).put("label", "Checking…");
      return send(HttpMethod.PUT, "/api/bots/" + id, new JsonObject().put("tools", again))
          .compose(updated -> {
            assertThat(updated.statusCode()).isEqualTo(200);
            JsonObject first = updated.bodyAsJsonObject().getJsonArray("tools").getJsonObject(0);
            assertThat(first.getString("label")).isEqualTo("Checking…");
            assertThat(first.getJsonArray("secret_headers_set")).containsExactly("Authorization");
            JsonArray removed = again.copy();
            removed.getJsonObject(0).put("secret_headers", new JsonObject().putNull("Authorization"));
            return send(HttpMethod.PUT, "/api/bots/" + id, new JsonObject().put("tools", removed));
          }).map(cleared -> {
            assertThat(cleared.bodyAsJsonObject().getJsonArray("tools").getJsonObject(0)
                .getJsonArray("secret_headers_set")).isEmpty();
            return cleared;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"tools\": {}}                                                                   | tools",
      "{\"tools\": [{\"type\": \"mail\", \"name\": \"x\"}]}                                  | tools[0].type",
      "{\"tools\": [{\"type\": \"bus\", \"name\": \"no spaces\"}]}                          | tools[0].name",
      "{\"tools\": [{\"type\": \"bus\", \"name\": \"a\"}, {\"type\": \"bus\", \"name\": \"a\"}]} | tools[1].name",
      "{\"tools\": [{\"type\": \"bus\", \"name\": \"a\", \"parameters\": {\"type\": \"string\"}}]} | tools[0].parameters",
      "{\"tools\": [{\"type\": \"bus\", \"name\": \"a\", \"parameters\": {\"type\": \"object\", \"properties\": {\"x\": {\"type\": \"string\", \"pattern\": \"a+\"}}}}]} | tools[0].parameters.properties.x.pattern",
      "{\"tools\": [{\"type\": \"http\", \"name\": \"a\", \"url\": \"ftp://x.example/\"}]}     | tools[0].url",
      "{\"tools\": [{\"type\": \"http\", \"name\": \"a\", \"url\": \"https://{host}/x\", \"parameters\": {\"type\": \"object\", \"properties\": {\"host\": {\"type\": \"string\"}}}}]} | tools[0].url",
      "{\"tools\": [{\"type\": \"http\", \"name\": \"a\", \"url\": \"https://x.example/{id}\"}]} | tools[0].url",
      "{\"tools\": [{\"type\": \"http\", \"name\": \"a\", \"url\": \"https://x.example/\", \"method\": \"TRACE\"}]} | tools[0].method",
      "{\"tools\": [{\"type\": \"http\", \"name\": \"a\", \"url\": \"https://x.example/\", \"headers\": {\"Host\": \"y\"}}]} | tools[0].headers.Host",
      "{\"tools\": [{\"type\": \"http\", \"name\": \"a\", \"url\": \"https://x.example/\", \"secret_headers\": {\"X-Key\": 5}}]} | tools[0].secret_headers.X-Key",
      "{\"tools\": [{\"type\": \"http\", \"name\": \"a\", \"url\": \"https://x.example/\", \"timeout_ms\": 0}]} | tools[0].timeout_ms",
      "{\"tools\": [{\"type\": \"http\", \"name\": \"a\", \"url\": \"https://x.example/\", \"max_response_bytes\": 99999999}]} | tools[0].max_response_bytes",
      "{\"tools\": [{\"type\": \"handoff\", \"url\": \"https://x.example/\"}]}              | tools[0].url",
      "{\"max_tool_steps\": 0}                                                           | max_tool_steps",
      "{\"max_tool_steps\": 21}                                                          | max_tool_steps"})
  void an_invalid_tool_is_refused_with_422_naming_the_field(String body, String field, VertxTestContext test) {
    send(HttpMethod.POST, "/api/bots", new JsonObject(body).put("name", "b")).map(response -> {
      assertThat(response.statusCode()).isEqualTo(422);
      assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo(field);
      return response;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void tool_urls_are_saved_with_scheme_and_host_as_browsers_write_them_and_placeholders_kept(VertxTestContext test) {
    JsonObject http = orderTool().put("url", "HTTPS://Shop.EXAMPLE.com:443/api/orders/{order_id}?full=1");
    JsonObject mcp = new JsonObject().put("type", "mcp").put("name", "docs").put("url", "HTTPS://MCP.Example.COM:443/mcp");
    send(HttpMethod.POST, "/api/bots", new JsonObject().put("name", "Shop").put("tools", new JsonArray().add(http).add(mcp)))
        .map(created -> {
          assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
          JsonArray tools = created.bodyAsJsonObject().getJsonArray("tools");
          assertThat(tools.getJsonObject(0).getString("url")).isEqualTo("https://shop.example.com/api/orders/{order_id}?full=1");
          assertThat(tools.getJsonObject(1).getString("url")).isEqualTo("https://mcp.example.com/mcp");
          return created;
        }).onComplete(test.succeedingThenComplete());
  }
}
