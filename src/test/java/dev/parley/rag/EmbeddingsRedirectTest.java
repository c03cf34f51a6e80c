package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.security.LogCanary;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An embeddings API that answers with a redirect does not get Parley to carry the key to another host. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class EmbeddingsRedirectTest {

  private static final String KEY = "sk-" + LogCanary.MARK + "-embeddings-redirect";

  @ParameterizedTest
  @ValueSource(ints = {301, 302, 303, 307, 308})
  void a_redirect_from_the_embeddings_api_is_not_followed_with_the_key(int status, Vertx vertx, VertxTestContext test) {
    List<MultiMap> elsewhere = new CopyOnWriteArrayList<>();
    Future<HttpServer> collector = vertx.createHttpServer().requestHandler(request -> {
      elsewhere.add(request.headers());
      request.response().setStatusCode(404).end();
    }).listen(0, "127.0.0.1");
    collector.compose(target -> vertx.createHttpServer().requestHandler(request -> request.response()
            .setStatusCode(status).putHeader("Location", "http://localhost:" + target.actualPort() + "/v1/embeddings").end())
        .listen(0, "127.0.0.1"))
        .compose(redirector -> {
          OpenAiEmbeddings.Settings settings = OpenAiEmbeddings.Settings.from(new JsonObject()
              .put("base_url", "http://127.0.0.1:" + redirector.actualPort() + "/v1").put("api_key", KEY)
              .put("max_retries", 0).put("timeout_ms", 3_000));
          return new OpenAiEmbeddings(vertx, OpenAiEmbeddings.client(vertx, settings), settings).embed(List.of("x"))
              .transform(done -> {
                assertThat(done.failed()).as("a redirect is no embedding").isTrue();
                assertThat(elsewhere).as("requests that reached the redirect's target").isEmpty();
                return Future.succeededFuture();
              });
        })
        .onComplete(test.succeedingThenComplete());
  }
}
