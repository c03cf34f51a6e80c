package dev.parley.http;

import io.vertx.core.json.JsonObject;

/** The two deployment codes of a bot: its chat page URL and the widget snippet. */
final class Deploy {

  private final String publicUrl;

  Deploy(String publicUrl) {
    this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
  }

  JsonObject codes(String botId) {
    return new JsonObject()
        .put("chat_url", publicUrl + "/chat/" + botId)
        .put("embed_code", "<script src=\"" + publicUrl + "/widget.js\" data-bot-id=\"" + botId + "\" async></script>");
  }

  JsonObject withCodes(JsonObject bot) {
    return bot.put("deploy", codes(bot.getString("id")));
  }
}
