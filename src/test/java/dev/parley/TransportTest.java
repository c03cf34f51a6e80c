package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.VertxInternal;
import io.netty.util.concurrent.MultithreadEventExecutorGroup;
import org.junit.jupiter.api.Test;

/** The Vert.x that {@link Main} builds: on Linux, Netty's native epoll transport, one event loop per core. */
class TransportTest {

  @Test
  void the_platform_serves_http_on_linux_native_epoll_with_one_event_loop_per_core() throws Exception {
    Vertx vertx = Vertx.builder().with(Main.options()).build();
    try {
      assertThat(vertx.isNativeTransportEnabled())
          .as("native transport unavailable: %s", vertx.unavailableNativeTransportCause()).isTrue();
      assertThat(((MultithreadEventExecutorGroup) ((VertxInternal) vertx).nettyEventLoopGroup()).executorCount())
          .isEqualTo(Runtime.getRuntime().availableProcessors());
      var server = vertx.createHttpServer().requestHandler(request -> request.response().end("over epoll"))
          .listen(0, "127.0.0.1").await();
      String body = vertx.createHttpClient().request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
          .compose(request -> request.send().compose(response -> response.body()))
          .await().toString();
      assertThat(body).isEqualTo("over epoll");
    } finally {
      vertx.close().await();
    }
  }
}
