package dev.parley.http;

import dev.parley.common.Fields;
import dev.parley.common.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which agents have an inbox channel open, on every node: each HTTP verticle instance publishes its own open channels
 * ({@code parley.inbox.presence}: {@code {node_id, agents: [{role, bot_ids?}], ttl_ms}}) when one opens or closes and
 * every {@link #BEAT_MS} ms while it has any, and keeps what the others published until it expires. A node that
 * starts asks the others ({@code parley.inbox.presence.ask}). Bounded: at most {@value #MAX_NODES} nodes are
 * remembered, and a node tells at most {@value #MAX_AGENTS} agents (the rest add nothing to "is anyone online").
 * Used from its verticle's event loop only.
 */
final class InboxPresence {

  static final long BEAT_MS = 5_000;
  static final long TTL_MS = 3 * BEAT_MS;
  private static final int MAX_NODES = 1_000;
  private static final int MAX_AGENTS = 500;

  private record Seen(JsonArray agents, long expiresAt) {
  }

  private final String nodeId;
  private final Map<String, Seen> nodes = new LinkedHashMap<>();

  InboxPresence(String nodeId) {
    this.nodeId = nodeId;
  }

  /** What this instance publishes for its open channels' principals. */
  JsonObject announcement(Collection<Principal> open) {
    JsonArray agents = new JsonArray();
    Set<String> seen = new HashSet<>();
    for (Principal principal : open) {
      JsonObject agent = new JsonObject().put(Fields.ROLE, principal.role().wire());
      if (principal.botIds() != null) {
        agent.put(Fields.BOT_IDS, new JsonArray(principal.botIds().stream().sorted().toList()));
      }
      if (seen.add(agent.encode()) && agents.size() < MAX_AGENTS) {
        agents.add(agent);
      }
    }
    return new JsonObject().put("node_id", nodeId).put("agents", agents).put("ttl_ms", TTL_MS);
  }

  /** Another instance's (or this one's) announcement arrived. */
  void heard(JsonObject announcement) {
    String node = announcement.getString("node_id");
    JsonArray agents = announcement.getJsonArray("agents", new JsonArray());
    if (node == null || node.equals(nodeId)) {
      return;
    }
    nodes.remove(node);
    if (agents.isEmpty()) {
      return;
    }
    if (nodes.size() >= MAX_NODES) {
      nodes.remove(nodes.keySet().iterator().next());
    }
    long ttl = Math.min(announcement.getLong("ttl_ms", TTL_MS), 60_000L);
    nodes.put(node, new Seen(agents, System.currentTimeMillis() + ttl));
  }

  /** Whether an agent covering {@code botId} is online here ({@code local}) or on a node heard from lately. */
  boolean online(String botId, Collection<Principal> local) {
    for (Principal principal : local) {
      if (principal.covers(botId)) {
        return true;
      }
    }
    long now = System.currentTimeMillis();
    nodes.values().removeIf(seen -> seen.expiresAt() < now);
    for (Seen seen : nodes.values()) {
      for (Object item : seen.agents()) {
        JsonObject agent = (JsonObject) item;
        Role role = Role.parse(agent.getString(Fields.ROLE));
        JsonArray bots = agent.getJsonArray(Fields.BOT_IDS);
        if (role != null && role.atLeast(Role.AGENT) && (bots == null || bots.contains(botId))) {
          return true;
        }
      }
    }
    return false;
  }
}
