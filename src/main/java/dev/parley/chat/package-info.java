/**
 * The chat turn: a flow over several components (bot, memory, rag, provider), as plain classes that talk to
 * them through their {@code dev.parley.common} clients. It imports only {@code common} and Vert.x; the HTTP
 * edge uses it, no verticle package does.
 *
 * <p>{@link dev.parley.chat.ChatPipeline} runs one turn as an ordered list of {@link dev.parley.chat.Step}s:
 * {@code MessageLimits} → {@code BudgetCheck} → {@code Context} (history ∥ retrieval) → {@code ModelAnswer}
 * → {@code StoreTurn} → {@code ProviderHealth} → {@code PublishEvent}, then hands the reply
 * ({@link dev.parley.chat.ChatReply}, made in one place) or the error to a {@link dev.parley.chat.Delivery}.
 * The {@link dev.parley.chat.Turn} is an immutable value: each step returns a new one with what it added. A
 * JSON turn and a streamed turn run the same steps; only their delivery differs (the edge's JSON reply or
 * server-sent events), and {@code ModelAnswer} asks the provider to stream when the delivery streams,
 * receiving the stream with a {@link dev.parley.chat.StreamReceiver}. Who the turn is for is its
 * {@link dev.parley.chat.Caller}, set by the edge: a web visitor, whose history memory keeps, or an API client
 * ({@code /v1/chat/completions}, {@code /mcp}) that sends the conversation itself; both run the same steps.
 *
 * <p><b>Adding a step</b> (an answer override, a human in the loop, a tool call): write one class implementing
 * {@code Step} (take the turn, return it with what the step adds; fail the future only to end the turn with
 * that error), and add one line for it at its place in the list in the {@code ChatPipeline} constructor. A step
 * that answers the turn itself sets the turn's answer ({@code Turn.withAnswer}): the steps that fetch context
 * and ask the model skip a turn that already has one, as they do for the budget message.
 */
package dev.parley.chat;
