package dev.parley.common;

/**
 * Field names of event-bus messages that more than one component reads. They are the same
 * snake_case names as the HTTP API, because both are public (extensions use the bus).
 */
public final class Fields {

  public static final String BOT_ID = "bot_id";
  public static final String BOT = "bot";
  public static final String USER_ID = "user_id";
  public static final String EMAIL = "email";
  public static final String BOT_IDS = "bot_ids";
  public static final String ACTOR = "actor";
  /** Hashes that stand for a secret on the bus: the secret itself never travels ({@link AccountClient}). */
  public static final String PASSWORD_HASH = "password_hash";
  public static final String INVITE_HASH = "invite_hash";
  public static final String SESSION_HASH = "session_hash";
  public static final String TOKEN_HASH = "token_hash";
  public static final String TOKEN_ID = "token_id";
  public static final String KEY_HASH = "key_hash";
  public static final String KEY_ID = "key_id";
  public static final String CHANNEL = "channel";
  public static final String API_USER = "api_user";
  public static final String EXPIRES_AT = "expires_at";
  public static final String HINT = "hint";
  public static final String SESSION_ID = "session_id";
  public static final String CONVERSATION_ID = "conversation_id";
  public static final String MESSAGE_ID = "message_id";
  public static final String MESSAGES = "messages";
  public static final String ROLE = "role";
  public static final String CONTENT = "content";
  public static final String LIMIT = "limit";
  public static final String OFFSET = "offset";
  public static final String DAYS = "days";
  public static final String PATCH = "patch";
  public static final String INCLUDE_SECRET = "include_secret";
  /** On {@code parley.bot.get}: also answer the bot's {@code warnings} ({@code [{field, message}]}). */
  public static final String INCLUDE_WARNINGS = "include_warnings";
  public static final String WARNINGS = "warnings";
  public static final String NAME = "name";
  public static final String API_KEY_ENC = "api_key_enc";
  public static final String SYSTEM = "system";
  public static final String STREAM_ADDRESS = "stream_address";
  public static final String TYPE = "type";
  public static final String SEQ = "seq";
  public static final String TEXT = "text";
  public static final String DELTAS = "deltas";
  public static final String USAGE = "usage";
  public static final String INPUT_TOKENS = "input_tokens";
  public static final String OUTPUT_TOKENS = "output_tokens";
  public static final String COST = "cost";
  /**
   * In a provider failure: what the attempts that reached the model spent before it failed,
   * {@code {usage:{input_tokens, output_tokens, estimated?}, cost, provider, model}}.
   */
  public static final String SPENT = "spent";
  /** In a provider {@code usage}: true when some of its tokens are estimated from characters ({@link TokenEstimate}). */
  public static final String ESTIMATED = "estimated";
  public static final String LATENCY_MS = "latency_ms";
  public static final String PROVIDER = "provider";
  public static final String MODEL = "model";
  public static final String USER = "user";
  public static final String ASSISTANT = "assistant";
  /** A message of a provider request that carries the result of a tool call ({@code {role:"tool", tool_call_id, name, content, is_error?}}). */
  public static final String TOOL = "tool";
  /** In a provider request: the tools the model may call, {@code [{name, description, parameters}]}. */
  public static final String TOOLS = "tools";
  /** In a provider request: {@code auto}, {@code none}, {@code required} or {@code {name}}. */
  public static final String TOOL_CHOICE = "tool_choice";
  /** In an assistant message and in a provider reply: the model's tool calls, {@code [{id, name, arguments}]}. */
  public static final String TOOL_CALLS = "tool_calls";
  public static final String TOOL_CALL_ID = "tool_call_id";
  public static final String ARGUMENTS = "arguments";
  public static final String LABEL = "label";
  /** In a tool call: true when the model's arguments were not a JSON object ({@code arguments} is then {@code {_raw}}). */
  public static final String ARGUMENTS_ERROR = "arguments_error";
  /** In a tool call's {@code arguments} when they could not be read: the text the model wrote. */
  public static final String RAW = "_raw";
  /** In a tool result message: true when the call failed and {@code content} describes the failure. */
  public static final String IS_ERROR = "is_error";
  public static final String DESCRIPTION = "description";
  public static final String PARAMETERS = "parameters";
  public static final String FINISH_REASON = "finish_reason";
  public static final String STATUS = "status";
  public static final String ERROR = "error";
  /** Why the knowledge-base search of a turn failed (the turn was answered without passages); null when it did not. */
  public static final String RETRIEVAL_ERROR = "retrieval_error";
  public static final String SOURCES = "sources";
  /** In a provider request's bot settings: the bot's citation mode ({@link Citations#wire()}). */
  public static final String CITATIONS = "citations";
  public static final String CREATED_AT = "created_at";
  public static final String RATING = "rating";
  public static final String COMMENT = "comment";
  public static final String ACTION = "action";
  public static final String DOCUMENT_ID = "document_id";
  public static final String DOCUMENT = "document";
  public static final String DOCUMENTS = "documents";
  public static final String QUERY = "query";
  public static final String TOP_K = "top_k";
  public static final String MIN_SCORE = "min_score";
  public static final String MODE = "mode";
  public static final String RESULTS = "results";
  /** A search abstained: the bot has documents, none answers the query. */
  public static final String NOTHING_FOUND = "nothing_found";
  public static final String CONTEXT = "context";
  public static final String FALLBACK_TEXT = "fallback_text";
  public static final String FALLBACK = "fallback";
  /** In a provider reply the fallback gave: {@code {code, message}} of the bot's own provider's failure. */
  public static final String PRIMARY_ERROR = "primary_error";
  /** A bot's admin-visible provider problem: {@code {code, message, at}}, or null. */
  public static final String PROVIDER_STATUS = "provider_status";

  /** A stored record's id; in a turn to store, the ids its messages are to get (which makes storing it idempotent). */
  public static final String ID = "id";
  /** The handoff reply when no person is there ({@code {state, offline, message}}). */
  public static final String OFFLINE = "offline";
  public static final String MESSAGE = "message";

  /** Message header carrying the request id from the HTTP edge into every component. */
  public static final String REQUEST_ID_HEADER = "x-request-id";
  /** Message headers of a request whose handler must send heartbeats while it works ({@link Heartbeats}). */
  public static final String HEARTBEAT_ADDRESS_HEADER = "x-heartbeat-address";
  public static final String HEARTBEAT_ID_HEADER = "x-heartbeat-id";
  public static final String HEARTBEAT_MS_HEADER = "x-heartbeat-ms";
  /**
   * Message header: the time (epoch ms) after which the sender no longer waits for the request to start: its
   * timeout, or for a request watched by heartbeats the time its first heartbeat would come too late. A handler
   * never starts work on a request past it ({@link BusHandlers#accept}), so a message delivered late (its node
   * froze, or the network held it) is not processed after its sender moved on, and maybe tried elsewhere.
   * Nodes' clocks are assumed NTP-synchronised: skew moves the cut-off by as much.
   */
  public static final String DEADLINE_HEADER = "x-deadline";
  /**
   * In a {@code parley.memory.append} request: the time (epoch ms) after which its sender no longer waits, so the
   * turn must not be committed (checked again just before the commit, as a node can freeze mid-request).
   */
  public static final String DEADLINE = "deadline";
  /** The body of a heartbeat: {@code {heartbeat_id}}. */
  public static final String HEARTBEAT_ID = "heartbeat_id";

  /** Humans in the conversation (issue 14): a conversation's state, who holds it, its visitor-visible events. */
  public static final String STATE = "state";
  public static final String REASON = "reason";
  public static final String TRIGGER = "trigger";
  public static final String AFTER = "after";
  public static final String EVENTS = "events";
  public static final String DATA = "data";
  public static final String AT = "at";
  public static final String ONLINE = "online";
  public static final String ASSIGNEE_ID = "assignee_id";
  public static final String ASSIGNEE_NAME = "assignee_name";
  public static final String AGENT_NAME = "agent_name";
  public static final String HANDOFF = "handoff";
  /** Stored answers (issue 16). */
  public static final String ANSWER = "answer";
  public static final String ANSWER_ID = "answer_id";
  public static final String ANSWERS = "answers";
  public static final String MATCH = "match";
  public static final String THRESHOLD = "threshold";
  public static final String CSV = "csv";
  public static final String SOURCE = "source";

  /** Knowledge gaps and evaluations (issue 16): a turn's best passage relevance, groups of questions, runs. */
  public static final String TOP_SCORE = "top_score";
  public static final String TEXTS = "texts";
  public static final String GROUPS = "groups";
  public static final String EVALUATION_ID = "eval_id";

  private Fields() {
  }
}
