package dev.parley.http.sso;

import io.vertx.core.shareddata.Shareable;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The states of the callbacks this node has already taken, until their flow would have expired anyway, so the
 * same callback presented twice is refused ({@code sso_state_replayed}). Shared by the node's HTTP instances;
 * bounded at {@link #MAX} (the oldest is forgotten first). Across nodes the provider's one-time authorization
 * code, tied to the PKCE verifier, is what stops a replay.
 */
final class UsedStates implements Shareable {

  static final int MAX = 10_000;

  private final Map<String, Long> expiries = new LinkedHashMap<>();

  /** Records {@code state} as used; false when it already was. */
  synchronized boolean claim(String state, long expiresAtMillis, long nowMillis) {
    for (Iterator<Long> it = expiries.values().iterator(); it.hasNext(); ) {
      if (it.next() >= nowMillis) {
        break;
      }
      it.remove();
    }
    if (expiries.containsKey(state)) {
      return false;
    }
    if (expiries.size() >= MAX) {
      Iterator<String> oldest = expiries.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    expiries.put(state, expiresAtMillis);
    return true;
  }
}
