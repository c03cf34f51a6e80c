package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyProcesses;
import dev.parley.testing.TestApp;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code PARLEY_LOG_FORMAT=json}: a Parley process writes one JSON object per log line. */
class LogFormatTest {

  @TempDir
  Path dir;

  @Test
  void json_logs_are_one_object_per_line() throws Exception {
    Path log = dir.resolve("parley.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(ParleyProcesses.JVM_OPTIONS);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("PARLEY_LOG_FORMAT", "json");
    builder.environment().put("PARLEY_PORT", String.valueOf(TestApp.freePort()));
    builder.environment().put("PARLEY_HOST", "127.0.0.1");
    builder.environment().put("PARLEY_DATA_DIR", dir.resolve("data").toString());
    builder.environment().put("PARLEY_ADMIN_TOKEN", TestApp.ADMIN_TOKEN);
    builder.environment().put("PARLEY_ROLES", "bot,memory,provider,http");
    Process parley = builder.start();
    try {
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline && !Files.readString(log).contains("Parley is running")) {
        assertThat(parley.isAlive()).as("Parley exited: %s", Files.readString(log)).isTrue();
        Thread.sleep(100);
      }
    } finally {
      parley.destroy();
      parley.waitFor(20, TimeUnit.SECONDS);
    }
    List<String> lines = Files.readAllLines(log).stream().filter(line -> line.startsWith("{")).toList();
    assertThat(lines).isNotEmpty();
    assertThat(lines.stream().map(JsonObject::new).map(json -> json.getString("message")))
        .anyMatch(message -> message != null && message.contains("Parley is running"));
    assertThat(lines.stream().map(JsonObject::new)).allMatch(json -> json.containsKey("level") && json.containsKey("loggerName"));
    assertThat(Files.readString(log)).doesNotContain(TestApp.ADMIN_TOKEN);
  }
}
