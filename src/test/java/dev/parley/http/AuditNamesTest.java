package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** How the audit trail names a route's action and target ({@link AuditActions}) and what it keeps of a body ({@link AuditChanges}). */
class AuditNamesTest {

  @ParameterizedTest
  @CsvSource({
      "POST, /api/bots, bot.create, bot, , true",
      "PUT, /api/bots/:botId, bot.update, bot, botId, false",
      "DELETE, /api/bots/:botId, bot.delete, bot, botId, false",
      "POST, /api/bots/:botId/documents, document.create, document, , true",
      "DELETE, /api/bots/:botId/documents/:docId, document.delete, document, docId, false",
      "POST, /api/bots/:botId/documents/:docId/retry, document.retry, document, docId, false",
      "POST, /api/bots/:botId/reindex, knowledge.reindex, bot, botId, false",
      "GET, /api/bots/:botId/conversations/export, conversation.export, bot, botId, false",
      "DELETE, /api/bots/:botId/sessions/:sessionId, session.delete, session, sessionId, false",
      "POST, /api/users, user.create, user, , true",
      "PUT, /api/users/:userId, user.update, user, userId, false",
      "POST, /api/tokens, token.create, token, , true",
      "DELETE, /api/tokens/:tokenId, token.delete, token, tokenId, false",
      "POST, /api/auth/login, auth.login, , , false",
      "POST, /api/users/:userId/invite, user.invite, user, userId, false",
      "PUT, /api/policies, policy.update, , , false"
  })
  void a_route_is_named_by_its_pattern_and_method(String method, String path, String action, String type, String param,
      boolean creates) {
    AuditActions.Naming naming = AuditActions.of(HttpMethod.valueOf(method), path);
    assertThat(naming.action()).isEqualTo(action);
    assertThat(naming.targetType()).isEqualTo(type);
    assertThat(naming.targetParam()).isEqualTo(param);
    assertThat(naming.creates()).isEqualTo(creates);
  }

  @Test
  void a_route_without_a_pattern_still_gets_a_name() {
    assertThat(AuditActions.of(HttpMethod.POST, null).action()).isEqualTo("request.post");
  }

  @Test
  void secrets_are_redacted_at_any_depth_and_an_api_key_shows_only_that_it_changed() {
    JsonObject body = new JsonObject()
        .put("name", "Bot")
        .put("api_key", "sk-live-1")
        .put("max_tokens", 300)
        .put("password", "hunter2hunter2")
        .put("embeddings", new JsonObject().put("api_key", "sk-live-2").put("model", "m"))
        .put("oidc", new JsonObject().put("client_secret", "cs").put("client_id", "id"))
        .put("webhooks", new JsonArray().add(new JsonObject().put("url", "https://h.example")
            .put("secret_headers", new JsonObject().put("X-Sig", "s3"))))
        .put("access_token", "pt_abc")
        .put("signing_key", "k")
        .put("max_tokens_note", "a text named like a count");
    JsonObject changes = AuditChanges.of(body);
    assertThat(changes).isEqualTo(new JsonObject()
        .put("name", "Bot")
        .put("api_key", "[changed]")
        .put("max_tokens", 300)
        .put("password", "[redacted]")
        .put("embeddings", new JsonObject().put("api_key", "[changed]").put("model", "m"))
        .put("oidc", new JsonObject().put("client_secret", "[redacted]").put("client_id", "id"))
        .put("webhooks", new JsonArray().add(new JsonObject().put("url", "https://h.example")
            .put("secret_headers", "[redacted]")))
        .put("access_token", "[redacted]")
        .put("signing_key", "[redacted]")
        .put("max_tokens_note", "[redacted]"));
    assertThat(AuditChanges.of(new JsonObject().putNull("api_key"))).isEqualTo(new JsonObject().put("api_key", "[removed]"));
    assertThat(AuditChanges.of(new JsonObject().put("max_tokens", "sk-a-string"))).isEqualTo(
        new JsonObject().put("max_tokens", "[redacted]"));
  }

  @Test
  void long_texts_long_lists_and_huge_bodies_are_cut() {
    String text = "x".repeat(AuditChanges.MAX_TEXT - 1) + "\ud83d\ude00" + "tail";
    JsonArray many = new JsonArray();
    for (int i = 0; i < AuditChanges.MAX_ITEMS + 5; i++) {
      many.add(i);
    }
    JsonObject changes = AuditChanges.of(new JsonObject().put("text", text).put("origins", many));
    String kept = changes.getString("text");
    assertThat(kept).startsWith("x".repeat(AuditChanges.MAX_TEXT - 1)).endsWith("…[" + text.length() + " characters]");
    assertThat(Character.isHighSurrogate(kept.charAt(AuditChanges.MAX_TEXT - 2))).isFalse();
    assertThat(kept).doesNotContain("\ud83d");
    assertThat(changes.getJsonArray("origins")).hasSize(AuditChanges.MAX_ITEMS + 1);
    assertThat(changes.getJsonArray("origins").getValue(AuditChanges.MAX_ITEMS)).isEqualTo("[5 more]");
    JsonObject huge = new JsonObject();
    for (int i = 0; i < 5_000; i++) {
      huge.put("field_" + i, "value " + i);
    }
    assertThat(AuditChanges.of(huge)).isEqualTo(new JsonObject().put("omitted", "changes too large to record")
        .put("field_count", 5_000));
  }
}
