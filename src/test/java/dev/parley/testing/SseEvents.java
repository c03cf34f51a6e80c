package dev.parley.testing;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Parses a whole server-sent-events body into its events, for assertions. */
public record SseEvents(List<String> names, List<JsonObject> data) {

  public static SseEvents parse(String body) {
    List<String> names = new ArrayList<>();
    List<JsonObject> data = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      String name = null;
      StringBuilder payload = new StringBuilder();
      for (String line : block.split("\n")) {
        if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ")) {
          payload.append(line.substring(6));
        }
      }
      if (name != null) {
        names.add(name);
        data.add(new JsonObject(payload.toString()));
      }
    }
    return new SseEvents(names, data);
  }

  public String deltaText() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equals("delta")) {
        text.append(data.get(i).getString("text"));
      }
    }
    return text.toString();
  }

  public JsonObject first(String name) {
    int i = names.indexOf(name);
    return i < 0 ? null : data.get(i);
  }
}
