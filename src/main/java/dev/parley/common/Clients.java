package dev.parley.common;

import io.vertx.core.Vertx;

/**
 * The bus clients of one verticle, made once when it starts: each call takes the request id it is made for,
 * so a request builds no client of its own.
 */
public record Clients(Bus bus, BotClient bots, MemoryClient memory, RagClient rag, ProviderClient provider,
    AccountClient accounts, ConversationClient conversations, ToolClient tools) {

  public static Clients of(Vertx vertx, Timeouts timeouts) {
    Bus bus = new Bus(vertx);
    return new Clients(bus, new BotClient(bus, timeouts), new MemoryClient(bus, timeouts), new RagClient(bus, timeouts),
        new ProviderClient(bus, timeouts), new AccountClient(bus, timeouts), new ConversationClient(bus, timeouts),
        new ToolClient(bus));
  }
}
