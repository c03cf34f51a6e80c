package dev.parley.tool;

import dev.parley.common.AddressGate;
import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.BusHandlers;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
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
 * request fails (422 {@code validation_failed}). Publishes {@code parley.events.tool.called}. An {@code mcp} tool's
 * call names the server's tool in {@code tool.mcp_tool}.
 *
 * <p>Consumes {@code parley.tools.list} ({@link Addresses#TOOLS_LIST}): {@code {bot_id, tool (an mcp tool as stored),
 * refresh?}} → {@code {tools: [{name, exposed_as, description, parameters, allowed}]}} ({@link McpTool}, cached unless
 * {@code refresh}); fails 422 {@code url_not_allowed} or {@code tool_misconfigured}, 504 {@code timeout}, 502 with
 * the reason otherwise ({@code tool_unreachable}, {@code tool_failed}, {@code response_too_large}).
 *
 * <p>Config ({@code tool}): {@code allow_private_urls} (false), {@code allowed_url_ports} ([80, 443, 8080, 8443];
 * empty: any), {@code calls_per_minute_per_bot} (60 per node; 0: no limit), {@code result_chars} (16000: the most of a
 * result the model is given), {@code mcp_list_ttl_ms} (300000: how long an MCP server's tool list is kept).
 */
public class ToolVerticle extends VerticleBase {

  private HttpTool http;
  private McpTool mcp;

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
      mcp = new McpTool(vertx, gate, secrets, config.getLong("mcp_list_ttl_ms", 300_000L));
      ToolRunner runner = new ToolRunner(vertx, http, mcp,
          new RagClient(new Bus(vertx), Timeouts.from(config.getJsonObject("timeouts"))),
          new CallRate(config.getInteger("calls_per_minute_per_bot", 60)), new ToolMetrics(),
          config.getInteger("result_chars", 16_000));
      return Future.all(BusHandlers.register(vertx, Addresses.TOOLS_CALL, body -> runner.call(null, body)),
          BusHandlers.register(vertx, Addresses.TOOLS_LIST, this::list));
    });
  }

  private Future<JsonObject> list(JsonObject body) {
    if (!(body.getValue(Fields.BOT_ID) instanceof String botId) || !(body.getValue(Fields.TOOL) instanceof JsonObject tool)
        || !"mcp".equals(tool.getValue("type")) || !(tool.getValue(Fields.NAME) instanceof String)
        || !(tool.getValue("url") instanceof String)) {
      return Future.failedFuture(ParleyException.invalid(Fields.TOOL, "Listing needs bot_id and an mcp tool"));
    }
    return mcp.list(botId, tool, body.getBoolean("refresh", false))
        .map(tools -> new JsonObject().put(Fields.TOOLS, tools))
        .recover(failed -> Future.failedFuture(failed instanceof ToolFailure why ? listingFailure(why) : failed));
  }

  /** A listing failure as the admin sees it: 422 for a refused URL, 504 for a timeout, 502 otherwise. */
  private static ParleyException listingFailure(ToolFailure why) {
    int status = switch (why.code()) {
      case "url_not_allowed", "tool_misconfigured" -> ErrorCodes.UNPROCESSABLE;
      case "timeout" -> ErrorCodes.GATEWAY_TIMEOUT;
      default -> ErrorCodes.BAD_GATEWAY;
    };
    return new ParleyException(status, why.code(), why.getMessage());
  }

  @Override
  public Future<?> stop() {
    return http == null ? Future.succeededFuture() : Future.all(http.close(), mcp.close());
  }
}
