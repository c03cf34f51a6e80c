package dev.parley.common;

/**
 * Every event-bus address Parley uses. Requests are {@code parley.<component>.<action>};
 * published events are past tense under {@code parley.events}. These names are the public
 * extension contract: custom verticles may consume or publish on them.
 */
public final class Addresses {

  public static final String BOT_CREATE = "parley.bot.create";
  public static final String BOT_LIST = "parley.bot.list";
  public static final String BOT_GET = "parley.bot.get";
  public static final String BOT_UPDATE = "parley.bot.update";
  public static final String BOT_DELETE = "parley.bot.delete";
  /** {@code {bot_id, provider_status: {code, message} | null}}: records (or clears) a bot's provider problem. */
  public static final String BOT_STATUS = "parley.bot.status";

  /** Operators: users, invites, sign-in sessions and API tokens ({@code AccountVerticle}, {@link AccountClient}). */
  public static final String ACCOUNT_SETUP_STATUS = "parley.account.setup.status";
  public static final String ACCOUNT_SETUP = "parley.account.setup";
  public static final String ACCOUNT_USER_CREATE = "parley.account.user.create";
  public static final String ACCOUNT_USER_LIST = "parley.account.user.list";
  public static final String ACCOUNT_USER_GET = "parley.account.user.get";
  public static final String ACCOUNT_USER_UPDATE = "parley.account.user.update";
  public static final String ACCOUNT_USER_DELETE = "parley.account.user.delete";
  public static final String ACCOUNT_USER_INVITE = "parley.account.user.invite";
  public static final String ACCOUNT_INVITE_ACCEPT = "parley.account.invite.accept";
  /** {@code {email}} → {@code {user_id, role}} of the enabled user with that email, or {} (single sign-on). */
  public static final String ACCOUNT_SSO_FIND = "parley.account.sso.find";
  /** {@code {email, name, role, user_id?}} → the user: made (no password) or brought to that role (single sign-on). */
  public static final String ACCOUNT_SSO_ADMIT = "parley.account.sso.admit";
  public static final String ACCOUNT_LOGIN_BEGIN = "parley.account.login.begin";
  public static final String ACCOUNT_LOGIN_FAILED = "parley.account.login.failed";
  public static final String ACCOUNT_SESSION_START = "parley.account.session.start";
  public static final String ACCOUNT_SESSION_CHECK = "parley.account.session.check";
  public static final String ACCOUNT_SESSION_END = "parley.account.session.end";
  public static final String ACCOUNT_TOKEN_CREATE = "parley.account.token.create";
  public static final String ACCOUNT_TOKEN_LIST = "parley.account.token.list";
  public static final String ACCOUNT_TOKEN_DELETE = "parley.account.token.delete";
  public static final String ACCOUNT_TOKEN_CHECK = "parley.account.token.check";
  public static final String ACCOUNT_BOT_KEY_CREATE = "parley.account.bot_key.create";
  public static final String ACCOUNT_BOT_KEY_LIST = "parley.account.bot_key.list";
  public static final String ACCOUNT_BOT_KEY_DELETE = "parley.account.bot_key.delete";
  public static final String ACCOUNT_BOT_KEY_CHECK = "parley.account.bot_key.check";

  public static final String MEMORY_HISTORY = "parley.memory.history";
  public static final String MEMORY_APPEND = "parley.memory.append";
  public static final String MEMORY_SESSION_GET = "parley.memory.session.get";
  public static final String MEMORY_SESSION_CLEAR = "parley.memory.session.clear";
  public static final String MEMORY_FEEDBACK = "parley.memory.feedback";
  public static final String MEMORY_CONVERSATIONS = "parley.memory.conversations";
  public static final String MEMORY_CONVERSATION = "parley.memory.conversation";
  public static final String MEMORY_STATS = "parley.memory.stats";
  /** {@code {bot_id, since}} → {@code {input_tokens, output_tokens, cost}} of the bot's turns on the UTC days from the one of {@code since} (ms) on. */
  public static final String MEMORY_USAGE = "parley.memory.usage";
  /**
   * {@code {bot_id, since, until, after_at?, after_id?, limit?}} → one page of a conversation export:
   * {@code {conversations: [{conversation_id, session_id, started_at, updated_at, messages}], next}}.
   */
  public static final String MEMORY_EXPORT_PAGE = "parley.memory.export.page";
  /** {@code {bot_id, session_id}} → {@code {conversations, messages}} deleted: erasure on request; 404 for no such session. */
  public static final String MEMORY_SESSION_ERASE = "parley.memory.session.erase";
  /** {@code {}} → {@code {ran, bots}}: runs the retention job now on the memory node that gets it. */
  public static final String MEMORY_RETENTION_RUN = "parley.memory.retention.run";

  public static final String RAG_SEARCH = "parley.rag.search";
  public static final String RAG_DOCUMENT_ADD = "parley.rag.document.add";
  public static final String RAG_DOCUMENT_LIST = "parley.rag.document.list";
  public static final String RAG_DOCUMENT_GET = "parley.rag.document.get";
  public static final String RAG_DOCUMENT_DELETE = "parley.rag.document.delete";
  public static final String RAG_DOCUMENT_RETRY = "parley.rag.document.retry";
  public static final String RAG_DOCUMENT_SYNC = "parley.rag.document.sync";
  /** {@code {bot_id}} → {@code {embedding_model, indexed_models, reindex_needed, reindex_documents}}. */
  public static final String RAG_INDEX_STATUS = "parley.rag.index.status";
  /** {@code {bot_id, all?}} → the index status and {@code queued}; re-embedding runs in the background. */
  public static final String RAG_REINDEX = "parley.rag.reindex";
  /**
   * A bot's stored answers (issue 16): {@code {bot_id}} → {@code {answers, max_answers}}; {@code {bot_id, answer_id}} →
   * the answer; {@code {bot_id, answer: {question, answer, alt_questions?}}} to create; with {@code answer_id} to
   * replace; {@code {bot_id, answer_id}} to delete; {@code {bot_id, csv}} to import ({@code {created, updated, total}})
   * or to export ({@code {csv}}).
   */
  public static final String RAG_ANSWER_LIST = "parley.rag.answer.list";
  public static final String RAG_ANSWER_GET = "parley.rag.answer.get";
  public static final String RAG_ANSWER_CREATE = "parley.rag.answer.create";
  public static final String RAG_ANSWER_UPDATE = "parley.rag.answer.update";
  public static final String RAG_ANSWER_DELETE = "parley.rag.answer.delete";
  public static final String RAG_ANSWER_IMPORT = "parley.rag.answer.import";
  public static final String RAG_ANSWER_EXPORT = "parley.rag.answer.export";
  /** {@code {bot_id, query, threshold}} → {@code {match: {id, question, answer, matched_question, score} | null, best_score?}}. */
  public static final String RAG_ANSWER_MATCH = "parley.rag.answer.match";

  /** Health probes: each answers {@code {status: "UP", …}} once its storage answers. */
  public static final String BOT_HEALTH = "parley.bot.health";
  public static final String MEMORY_HEALTH = "parley.memory.health";
  public static final String RAG_HEALTH = "parley.rag.health";

  public static final String PROVIDER_COMPLETE = "parley.provider.complete";
  public static final String PROVIDER_STREAM = "parley.provider.stream";
  /**
   * Published {@code {stream_address}} when a streamed turn's client has gone: whichever provider instance
   * is running that stream stops it and its upstream request.
   */
  public static final String PROVIDER_CANCEL = "parley.provider.cancel";

  /**
   * {@code {model}} → {@code {model, priced, input, output, source: table|default|null}}: the price the provider step
   * charges for a model (USD per million tokens), from the price table or the configured default price.
   */
  public static final String PROVIDER_PRICE = "parley.provider.price";
  /**
   * Published {@code {}} by a component that wants to know the providers extensions serve: each custom provider
   * answers by publishing {@link #EVENTS_PROVIDER_ANNOUNCED} again ({@link ProviderAnnouncements}).
   */
  public static final String PROVIDER_DISCOVER = "parley.provider.discover";

  /** Where an extension verticle serving the provider {@code name} answers complete requests. */
  public static String customProviderComplete(String name) {
    return "parley.provider." + name + ".complete";
  }

  /** Where an extension verticle serving the provider {@code name} answers stream requests. */
  public static String customProviderStream(String name) {
    return "parley.provider." + name + ".stream";
  }

  /**
   * {@code {actor, action, target_type?, target_id?, bot_id?, request_id?, client_address?, status?, outcome?,
   * changes?}} → the stored entry {@code {id, at, …}}, once it is stored. The audit log is append-only: no address
   * changes or removes an entry.
   */
  public static final String AUDIT_RECORD = "parley.audit.record";
  /**
   * {@code {actor?, action?, target?, bot_id?, since?, until?, limit?, cursor?}} → {@code {entries:[…], next_cursor}},
   * newest first; 400 on a bad filter or a cursor that was not issued for the same filters.
   */
  public static final String AUDIT_QUERY = "parley.audit.query";

  /**
   * Prefix of each node's heartbeat address ({@code parley.heartbeat.<uuid>}), where the handlers of its
   * long requests on other nodes send {@code {heartbeat_id}} while they work ({@link Heartbeats}).
   */
  public static final String HEARTBEAT_PREFIX = "parley.heartbeat.";

  /**
   * The address of the session {@code sessionId} of bot {@code botId}: every event appended to its log is published there as
   * {@code {id, type, data}}, and the deltas of a bot answer in progress as {@code {type: "delta", data: {message_id,
   * text, offset}}}, then {@code {type: "answer_done", data: {message_id}}} ({@link #SESSION_PREFIX}).
   */
  public static final String SESSION_PREFIX = "parley.session.";

  /** Where the events of the session {@code sessionId} of bot {@code botId} are published. */
  public static String session(String botId, String sessionId) {
    return SESSION_PREFIX + botId + "." + sessionId;
  }

  /**
   * Prefix of the address ({@link #chatAnswer}) where the node streaming a session's answer answers
   * {@code {}} with the answer so far, {@code {message_id, text}}, while it is being written (no handler: none is).
   */
  public static final String CHAT_ANSWER_PREFIX = "parley.chat.answer.";

  /** Where the answer in progress of the session {@code sessionId} of bot {@code botId} is asked for. */
  public static String chatAnswer(String botId, String sessionId) {
    return CHAT_ANSWER_PREFIX + botId + "." + sessionId;
  }

  /** Prefix of the one-off addresses a streamed turn's deltas are sent to. */
  public static final String STREAM_PREFIX = "parley.stream.";

  public static final String EVENTS_TURN_COMPLETED = "parley.events.turn.completed";
  public static final String EVENTS_BOT_CHANGED = "parley.events.bot.changed";
  /** {@code {name}}, published by a custom provider once it serves its addresses, and on every discover request. */
  public static final String EVENTS_PROVIDER_ANNOUNCED = "parley.events.provider.announced";
  /** {@code {bot_id, document_id, status: processing|ready|failed, error}} when a document's status changes. */
  public static final String EVENTS_DOCUMENT_CHANGED = "parley.events.document.changed";
  /**
   * {@code {bot_id}} when a bot's stored answers were created, changed, imported or deleted: every rag instance, on
   * every node, reads them again for the next match.
   */
  public static final String EVENTS_ANSWERS_CHANGED = "parley.events.answers.changed";
  /**
   * {@code {bot_id, conversations, messages, before}}: a retention run deleted that many conversations and messages
   * of the bot, those last active before {@code before} (epoch ms).
   */
  public static final String EVENTS_RETENTION_COMPLETED = "parley.events.retention.completed";

  /**
   * Humans in the conversation (issue 14), served by the memory component ({@code MemoryVerticle}) through
   * {@link ConversationClient}: {@code {bot_id, session_id}} → {@code {state, assignee_id?, assignee_name?}}
   * ({@code bot} for a conversation that does not exist yet).
   */
  public static final String CONVERSATION_STATE_GET = "parley.conversation.state.get";
  /**
   * {@code {bot_id, session_id, reason?, trigger, follow_up?: {name, email}}} → {@code {state, conversation_id, changed}}:
   * asks for a person ({@code follow_up}: the visitor left a follow-up; the reason becomes {@code follow_up}).
   */
  public static final String CONVERSATION_HANDOFF = "parley.conversation.handoff";
  /** {@code {bot_id, session_id, after}} → {@code {events:[{id, type, data}]}}: the visitor's channel, ascending, at most 500. */
  public static final String CONVERSATION_EVENTS = "parley.conversation.events";
  /** {@code {bot_id, session_id}} → {@code {state}}: a closed conversation goes back to the bot (a visitor wrote again). */
  public static final String CONVERSATION_REOPEN = "parley.conversation.reopen";
  /** {@code {bot_id, session_id, answered, turns}} → {@code {state, streak}}: counts the bot's turns that found nothing. */
  public static final String CONVERSATION_NO_ANSWER = "parley.conversation.no_answer";
  /** {@code {bot_id, conversation_id, actor, assignee_id?, assignee_name?}} → the conversation's state: an agent takes it over. */
  public static final String CONVERSATION_ASSIGN = "parley.conversation.assign";
  /** {@code {bot_id, conversation_id, actor, text, note}} → {@code {message_id, state}}: an agent's message or an internal note. */
  public static final String CONVERSATION_MESSAGE = "parley.conversation.message";
  /** {@code {bot_id, conversation_id, actor}} → {@code {state: bot}}: back to the bot. */
  public static final String CONVERSATION_RELEASE = "parley.conversation.release";
  /** {@code {bot_id, conversation_id, actor}} → {@code {state: closed}}. */
  public static final String CONVERSATION_CLOSE = "parley.conversation.close";
  /** {@code {bot_ids?, state?, bot_id?, limit}} → {@code {conversations}}: the agents' inbox. */
  public static final String CONVERSATION_INBOX = "parley.conversation.inbox";
  /** {} → {@code {bot, waiting, human, closed, bots: {<bot_id>: {…}}}}: how many conversations are in each state, in all and per bot (metrics). */
  public static final String CONVERSATION_PER_STATE = "parley.conversation.per_state";
  /** {@code {bot_id}} → {@code {online}}: whether an agent covering the bot has an inbox channel open on any node. */
  public static final String INBOX_ONLINE = "parley.inbox.online";
  /** Published by each HTTP node: {@code {node_id, agents:[{role, bot_ids?}], ttl_ms}} (its open inbox channels). */
  public static final String INBOX_PRESENCE = "parley.inbox.presence";
  /** Published by an HTTP node that starts: the others publish their presence again. */
  public static final String INBOX_PRESENCE_ASK = "parley.inbox.presence.ask";
  /** Every change an inbox shows, published once by the node that made it: {@code {type, bot_id, conversation_id, session_id, state, …}}. */
  public static final String INBOX_CHANGES = "parley.inbox.changes";

  /** Conversation events for extensions: {@code {bot_id, session_id, conversation_id, state, reason?, trigger?, assignee_id?, user_id?, at}}. */
  public static final String EVENTS_CONVERSATION_HANDOFF_REQUESTED = "parley.events.conversation.handoff_requested";
  public static final String EVENTS_CONVERSATION_ASSIGNED = "parley.events.conversation.assigned";
  public static final String EVENTS_CONVERSATION_MESSAGE = "parley.events.conversation.message";
  public static final String EVENTS_CONVERSATION_RELEASED = "parley.events.conversation.released";
  public static final String EVENTS_CONVERSATION_CLOSED = "parley.events.conversation.closed";
  /**
   * {@code {bot_id, session_id, conversation_id, state, reason: "follow_up", name, email, at}}: a visitor left a
   * follow-up request (no agent was online); the message itself is stored in the conversation, not sent here.
   */
  public static final String EVENTS_CONVERSATION_FOLLOW_UP = "parley.events.conversation.follow_up";

  /**
   * Mails an invited person their invite link (the {@code mail} component, when an SMTP server is configured):
   * {@code {email, role, invited_by?, link, expires_at}} → {@code {sent: true}} once the SMTP server took it. The link
   * is a one-time secret: it travels sealed for that address ({@link InviteLinkSeal}), never in plain text.
   */
  public static final String MAIL_INVITE = "parley.mail.invite";

  /**
   * Runs one tool of a bot (the {@code tool} verticle): {@code {bot_id, session_id, tool, arguments}} →
   * {@code {status: done|failed, content, latency_ms, error?}}. A tool's own failure is a reply, never a failed request.
   */
  public static final String TOOLS_CALL = "parley.tools.call";
  /** Prefix of a bus tool's address ({@code parley.tool.<name>}), served by a custom verticle (docs/extending.md). */
  public static final String TOOL_PREFIX = "parley.tool.";
  /** {@code {bot_id, session_id, tool, type, status, latency_ms, error?, at}}: a tool was called (no arguments, no result). */
  public static final String EVENTS_TOOL_CALLED = "parley.events.tool.called";
  /**
   * Lists the tools of a bot's {@code mcp} tool (the {@code tool} verticle): {@code {bot_id, tool, refresh?}} →
   * {@code {tools: [{name, exposed_as, description, parameters, allowed}]}}, cached unless {@code refresh}.
   */
  public static final String TOOLS_LIST = "parley.tools.list";

  /** Knowledge gaps (issue 16): the visitor questions of a bot that found nothing, weak passages, a thumbs-down or a person. */
  public static final String MEMORY_GAPS = "parley.memory.gaps";
  /** Groups texts by meaning with the configured embedding model: {@code {texts, threshold}} → {@code {model, groups}}. */
  public static final String RAG_GROUP = "parley.rag.group";
  /** Evaluation runs of a bot (issue 16): made, told of their progress and end, listed, read. */
  public static final String MEMORY_EVALUATION_CREATE = "parley.memory.evaluation.create";
  public static final String MEMORY_EVALUATION_PROGRESS = "parley.memory.evaluation.progress";
  public static final String MEMORY_EVALUATION_HEARTBEAT = "parley.memory.evaluation.heartbeat";
  public static final String MEMORY_EVALUATION_FINISH = "parley.memory.evaluation.finish";
  public static final String MEMORY_EVALUATION_LIST = "parley.memory.evaluation.list";
  public static final String MEMORY_EVALUATION_GET = "parley.memory.evaluation.get";

  private Addresses() {
  }
}
