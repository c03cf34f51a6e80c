package dev.parley.tool;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.nio.charset.StandardCharsets;

/**
 * The whole body of an answer to a tool's request (an HTTP tool's, an MCP server's), at most {@code maxBytes}: a larger
 * {@code Content-Length} is refused before reading and a longer body is cut off (the request reset), both failing
 * with {@code response_too_large}; a broken connection fails with {@code tool_unreachable}. {@code what} names the
 * other side in the message ("tool", "MCP server").
 */
final class ResponseBody {

  private ResponseBody() {
  }

  static Future<String> read(HttpClientResponse response, int maxBytes, String what) {
    Promise<String> done = Promise.promise();
    String announced = response.getHeader("Content-Length");
    if (announced != null && announced.strip().matches("\\d{1,18}") && Long.parseLong(announced.strip()) > maxBytes) {
      response.request().reset();
      return Future.failedFuture(tooLarge(what, maxBytes));
    }
    Buffer received = Buffer.buffer();
    response.handler(data -> {
      if (received.length() + data.length() > maxBytes) {
        if (done.tryFail(tooLarge(what, maxBytes))) {
          response.request().reset();
        }
        return;
      }
      received.appendBuffer(data);
    });
    response.exceptionHandler(error -> done.tryFail(new ToolFailure("tool_unreachable",
        "The connection to the " + what + " broke off")));
    response.endHandler(end -> done.tryComplete(received.toString(StandardCharsets.UTF_8)));
    return done.future();
  }

  private static ToolFailure tooLarge(String what, int maxBytes) {
    return new ToolFailure("response_too_large", "The " + what + "'s answer is larger than " + maxBytes + " bytes");
  }
}
