package dev.parley.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

  private final List<SseEvent> events = new ArrayList<>();
  private final SseParser parser = new SseParser(events::add);

  private void feed(String text) {
    parser.feed(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void parses_named_events_and_joins_data_lines() {
    feed("event: message_start\ndata: {\"a\":1}\n\ndata: line one\ndata: line two\nid: 7\n\n");
    assertThat(events).containsExactly(
        new SseEvent("message_start", "{\"a\":1}", null),
        new SseEvent("message", "line one\nline two", "7"));
  }

  @Test
  void reassembles_an_event_split_at_every_byte() {
    String stream = "event: content_block_delta\r\ndata: {\"text\":\"héllo wörld 😀\"}\r\n\r\n: keep-alive\n\ndata: [DONE]\n\n";
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    for (int cut = 1; cut < bytes.length; cut++) {
      events.clear();
      SseParser split = new SseParser(events::add);
      split.feed(Arrays.copyOfRange(bytes, 0, cut));
      split.feed(Arrays.copyOfRange(bytes, cut, bytes.length));
      assertThat(events).as("cut at %d", cut).containsExactly(
          new SseEvent("content_block_delta", "{\"text\":\"héllo wörld 😀\"}", null),
          new SseEvent("message", "[DONE]", null));
    }
  }

  @Test
  void decodes_multi_byte_characters_fed_one_byte_at_a_time() {
    byte[] bytes = "data: ünïcödé → 日本語 🎉\n\n".getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      parser.feed(new byte[] {b});
    }
    assertThat(events).extracting(SseEvent::data).containsExactly("ünïcödé → 日本語 🎉");
  }

  @Test
  void accepts_crlf_cr_and_lf_line_endings() {
    feed("data: a\r\n\r\ndata: b\r\rdata: c\n\n");
    assertThat(events).extracting(SseEvent::data).containsExactly("a", "b", "c");
  }

  @Test
  void a_cr_at_the_end_of_one_chunk_and_lf_at_the_start_of_the_next_is_one_line_end() {
    feed("data: a\r");
    feed("\ndata: b\r\n\r\n");
    assertThat(events).extracting(SseEvent::data).containsExactly("a\nb");
  }

  @Test
  void ignores_comments_unknown_fields_and_events_without_data() {
    feed(": this is a comment\n\nretry: 1000\nfoo: bar\n\nevent: ping\n\ndata: x\n\n");
    assertThat(events).containsExactly(new SseEvent("message", "x", null));
  }

  @Test
  void strips_only_one_leading_space_and_handles_fields_without_colon() {
    feed("data:  two spaces\n\ndata:none\n\ndata\n\n");
    assertThat(events).extracting(SseEvent::data).containsExactly(" two spaces", "none", "");
  }

  @Test
  void the_event_name_does_not_leak_into_the_next_event() {
    feed("event: error\ndata: {}\n\ndata: next\n\n");
    assertThat(events).extracting(SseEvent::event).containsExactly("error", "message");
  }

  @Test
  void end_dispatches_a_last_event_without_its_blank_line() {
    feed("data: complete\n\ndata: [DONE]");
    assertThat(events).hasSize(1);
    parser.end();
    assertThat(events).extracting(SseEvent::data).containsExactly("complete", "[DONE]");
  }

  @Test
  void skips_a_leading_byte_order_mark() {
    parser.feed(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    feed("data: x\n\n");
    assertThat(events).extracting(SseEvent::data).containsExactly("x");
  }

  @Test
  void refuses_an_endless_line() {
    byte[] chunk = new byte[1024 * 1024];
    Arrays.fill(chunk, (byte) 'a');
    assertThatThrownBy(() -> {
      for (int i = 0; i < 5; i++) {
        parser.feed(chunk);
      }
    }).isInstanceOf(ProviderFailure.class);
  }
}
