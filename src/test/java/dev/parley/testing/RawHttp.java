package dev.parley.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import java.nio.charset.StandardCharsets;

/** Raw bytes over a new TCP connection, for requests no HTTP client would send (duplicate framing headers, …). */
public final class RawHttp {

  private RawHttp() {
  }

  /**
   * Sends {@code request} to 127.0.0.1:{@code port} and answers everything the server wrote until it closed the
   * connection, or until {@code waitMs} passed (then the client closes it).
   */
  public static Future<String> exchange(Vertx vertx, int port, String request, long waitMs) {
    NetClient net = vertx.createNetClient();
    Promise<String> answer = Promise.promise();
    net.connect(port, "127.0.0.1").onFailure(answer::fail).onSuccess(socket -> {
      Buffer got = Buffer.buffer();
      socket.handler(got::appendBuffer);
      socket.closeHandler(v -> answer.tryComplete(got.toString(StandardCharsets.ISO_8859_1)));
      socket.write(Buffer.buffer(request.getBytes(StandardCharsets.ISO_8859_1)));
      vertx.setTimer(waitMs, t -> socket.close());
    });
    return answer.future().eventually(net::close);
  }
}
