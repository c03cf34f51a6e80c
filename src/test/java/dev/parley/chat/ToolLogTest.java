package dev.parley.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.UnicodeText;
import org.junit.jupiter.api.Test;

class ToolLogTest {

  @Test
  void a_long_tool_result_is_cut_for_the_log_between_code_points_never_inside_a_pair() {
    String emoji = "\ud83d\ude00";
    String result = "x".repeat(ToolLog.STORED_CHARS - 1) + emoji + "tail";

    String cut = ToolLog.cut(result);

    assertThat(cut).endsWith("…").hasSize(ToolLog.STORED_CHARS);
    assertThat(UnicodeText.wellFormed(cut)).isTrue();
    assertThat(ToolLog.cut("short")).isEqualTo("short");
  }
}
