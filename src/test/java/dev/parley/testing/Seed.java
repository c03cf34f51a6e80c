package dev.parley.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Rows written straight into an app's database: conversations (no chat turns), for tests that need many (exports,
 * retention), evaluation runs as a node left them, and sitemaps. Blocking: call it off the event loop. The usage of the seeded
 * messages is not counted.
 */
public final class Seed {

  private static final int BATCH = 2_000;

  private Seed() {
  }

  /**
   * {@code count} conversations of the bot (sessions {@code <prefix>-<n>}), each with a user message and an answer of
   * {@code chars} characters, started and last active at {@code at} (epoch ms) plus n ms.
   */
  public static void conversations(TestApp app, String botId, String prefix, int count, int chars, long at)
      throws SQLException {
    String answer = "a".repeat(Math.max(1, chars));
    try (Connection connection = app.jdbc()) {
      connection.setAutoCommit(false);
      try (PreparedStatement conversation = connection.prepareStatement("INSERT INTO conversations "
              + "(id, bot_id, session_id, created_at, updated_at, message_count) VALUES (?, ?, ?, ?, ?, 2)");
          PreparedStatement message = connection.prepareStatement("INSERT INTO messages (id, conversation_id, bot_id, "
              + "role, content, input_tokens, output_tokens, cost, latency_ms, provider, model, created_at) "
              + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (int n = 0; n < count; n++) {
          String id = "cnv_" + prefix + "_" + n;
          long time = at + n;
          conversation.setString(1, id);
          conversation.setString(2, botId);
          conversation.setString(3, prefix + "-" + String.format("%08d", n));
          conversation.setLong(4, time);
          conversation.setLong(5, time);
          conversation.addBatch();
          message(message, id + "_u", id, botId, "user", "question " + n, time);
          message(message, id + "_a", id, botId, "assistant", answer, time + 1);
          if ((n + 1) % BATCH == 0 || n == count - 1) {
            conversation.executeBatch();
            message.executeBatch();
          }
        }
      }
      connection.commit();
    }
  }

  private static void message(PreparedStatement insert, String id, String conversationId, String botId, String role,
      String content, long at) throws SQLException {
    boolean answer = role.equals("assistant");
    insert.setString(1, id);
    insert.setString(2, conversationId);
    insert.setString(3, botId);
    insert.setString(4, role);
    insert.setString(5, content);
    insert.setObject(6, answer ? 12 : null);
    insert.setObject(7, answer ? 34 : null);
    insert.setObject(8, answer ? 0.0001 : null);
    insert.setObject(9, answer ? 250L : null);
    insert.setString(10, answer ? "openai" : null);
    insert.setString(11, answer ? "gpt-4o-mini" : null);
    insert.setLong(12, at);
    insert.addBatch();
  }

  /**
   * An evaluation run of the bot as a node left it: {@code running}, 1 of 3 questions done, made a second before
   * {@code heartbeatAt}, its last heartbeat then ({@code null}: a run stored before heartbeats); returns its id.
   */
  public static String runningEvaluation(TestApp app, String botId, Long heartbeatAt) throws SQLException {
    String evalId = java.util.UUID.randomUUID().toString();
    long at = heartbeatAt == null ? System.currentTimeMillis() : heartbeatAt;
    try (Connection db = app.jdbc(); PreparedStatement insert = db.prepareStatement("INSERT INTO evaluations (id, "
        + "bot_id, status, created_at, heartbeat_at, question_count, done_count, settings, questions) VALUES "
        + "(?, ?, 'running', ?, ?, 3, 1, '{}', '[]')")) {
      insert.setString(1, evalId);
      insert.setString(2, botId);
      insert.setLong(3, at - 1_000);
      insert.setObject(4, heartbeatAt);
      insert.executeUpdate();
    }
    return evalId;
  }

  /**
   * A sitemap document of the bot with {@code pages} pages, all {@code ready} with no passages (as a sitemap whose
   * pages had nothing to index); answers the sitemap's id.
   */
  public static String sitemap(TestApp app, String botId, int pages) throws SQLException {
    String sitemapId = "doc_sitemap_" + java.util.UUID.randomUUID().toString().substring(0, 8);
    long now = System.currentTimeMillis();
    try (Connection db = app.jdbc(); PreparedStatement insert = db.prepareStatement("INSERT INTO documents (id, "
        + "bot_id, name, source, url, status, created_at, updated_at, parent_id) VALUES (?, ?, ?, ?, ?, 'ready', ?, ?, ?)")) {
      for (int page = -1; page < pages; page++) {
        String url = page < 0 ? "https://shop.example/sitemap.xml" : "https://shop.example/page-" + page;
        insert.setString(1, page < 0 ? sitemapId : sitemapId + "_" + page);
        insert.setString(2, botId);
        insert.setString(3, url);
        insert.setString(4, page < 0 ? "sitemap" : "url");
        insert.setString(5, url);
        insert.setLong(6, now);
        insert.setLong(7, now);
        insert.setString(8, page < 0 ? null : sitemapId);
        insert.addBatch();
      }
      insert.executeBatch();
    }
    return sitemapId;
  }
}
