package dev.parley.tool;

import dev.parley.common.AddressGate;
import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.BusHandlers;
import dev.parley.common.InternalAddresses;
import dev.parley.common.RagClient;
import dev.parley.common.SecretBox;
import dev.parley.common.Timeouts;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs the tools of a bot's chat turns (issue 15, docs/tools.md): the only component that decrypts a tool's secret
 * headers. Deployed with the {@code provider} role (it makes the outbound calls, as the provider does).
 *
 * <p>Consumes {@code parley.tools.call} ({@link Addresses#TOOLS_CALL}): {@code {bot_id, session_id, tool (as stored on
 * the bot, secret headers encrypted), arguments}} → {@code {status: "done"|"failed", content, latency_ms, error?}}.
 * A tool that fails, times out, is refused by the URL rules or the rate limit, or gets arguments that break its
 * schema is a {@code failed} reply whose {@code content} tells the model why ({@link ToolRunner}); only a malformed
 * request fails (422 {@code validation_failed}). Publishes {@code parley.events.tool.called}.
 *
 * <p>Config ({@code tool}): {@code allow_private_urls} (false), {@code allowed_url_ports} ([80, 443, 8080, 8443];
 * empty: any), {@code calls_per_minute_per_bot} (60 per node; 0: no limit), {@code result_chars} (16000: the most of a
 * result the model is given).
 */
public class ToolVerticle extends VerticleBase {

  private HttpTool http;

  @Override
  public Future<?> start() {
    JsonObject config = config();
    Set<Integer> ports = new LinkedHashSet<>();
    for (Object port : config.getJsonArray("allowed_url_ports", new JsonArray(List.of(80, 443, 8080, 8443)))) {
      ports.add(((Number) port).intValue());
    }
    AddressGate gate = new AddressGate(vertx, new AddressGate.Policy(config.getBoolean("allow_private_urls", false), ports),
        InetAddress::getAllByName, InternalAddresses::isInternal, "tool");
    return SecretBox.load(vertx, config).compose(secrets -> {
      http = new HttpTool(vertx, gate, secrets);
      ToolRunner runner = new ToolRunner(vertx, http,
          new RagClient(new Bus(vertx), Timeouts.from(config.getJsonObject("timeouts"))),
          new CallRate(config.getInteger("calls_per_minute_per_bot", 60)), new ToolMetrics(),
          config.getInteger("result_chars", 16_000));
      return BusHandlers.register(vertx, Addresses.TOOLS_CALL, body -> runner.call(null, body));
    });
  }

  @Override
  public Future<?> stop() {
    return http == null ? Future.succeededFuture() : http.close();
  }
}
