package dev.parley.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Origins and URLs are written as browsers write them (WHATWG URL serialisation), whatever the operator typed. */
class WebAddressesTest {

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', value = {
      "https://shop.example | https://shop.example",
      "https://shop.example:443 | https://shop.example",
      "http://shop.example:80 | http://shop.example",
      "HTTPS://Shop.EXAMPLE | https://shop.example",
      "https://shop.example/ | https://shop.example",
      "  https://shop.example  | https://shop.example",
      "https://shop.example:8443 | https://shop.example:8443",
      "http://shop.example:443 | http://shop.example:443",
      "https://shop.example:0443 | https://shop.example",
      "https://bücher.example | https://xn--bcher-kva.example",
      "https://BÜCHER.example | https://xn--bcher-kva.example",
      "https://ｓｈｏｐ.example | https://shop.example",
      "http://[::1]:8080 | http://[::1]:8080",
      "http://[0:0:0:0:0:0:0:1] | http://[::1]",
      "http://[2001:DB8:0:0:1:0:0:1] | http://[2001:db8::1:0:0:1]",
      "http://[::ffff:127.0.0.1] | http://[::ffff:7f00:1]",
      "http://192.0.2.1:3000 | http://192.0.2.1:3000",
      "https://shop.example. | https://shop.example.",
      "https://my_shop.example | https://my_shop.example"})
  void origins_are_written_as_browsers_send_them(String typed, String expected) {
    assertThat(WebAddresses.origin("allowed_origins", typed)).isEqualTo(expected);
    assertThat(WebAddresses.originOrNull(expected)).as("a browser's origin reads as itself").isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"*", "null", "shop.example", "ftp://shop.example", "javascript:alert(1)",
      "https://shop.example/path", "https://shop.example?x=1", "https://shop.example#top", "https://user@shop.example",
      "https://user:pw@shop.example", "https://", "https://:443", "https://shop.example:0", "https://shop.example:65536",
      "https://shop.example:http", "https://sh op.example", "https://shop..example", "https://%73hop.example",
      "http://0x7f.1", "http://010.0.0.1", "http://127.1", "http://1.2.3.4.5", "http://[fe80::1%25eth0]", "http://[::1",
      "http://[not:an:address]", "https://shop.example:443/#", "https://*.shop.example"})
  void what_is_not_an_origin_is_422_naming_the_field(String typed) {
    assertThatThrownBy(() -> WebAddresses.origin("allowed_origins", typed))
        .isInstanceOfSatisfying(ParleyException.class, e -> {
          assertThat(e.status()).isEqualTo(422);
          assertThat(e.code()).isEqualTo("validation_failed");
          assertThat(e.field()).isEqualTo("allowed_origins");
        });
    assertThat(WebAddresses.originOrNull(typed)).isNull();
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', value = {
      "https://chat.example.com | https://chat.example.com",
      "https://Chat.Example.com:443/parley/ | https://chat.example.com",
      "http://127.0.0.1:8000 | http://127.0.0.1:8000"})
  void the_origin_of_a_public_url_ignores_its_path(String url, String expected) {
    assertThat(WebAddresses.originOfUrl(url)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', value = {
      "https://api.openai.com/v1 | https://api.openai.com/v1",
      "https://api.openai.com/v1/ | https://api.openai.com/v1",
      "HTTPS://API.OpenAI.com:443/v1// | https://api.openai.com/v1",
      "http://localhost:11434/v1 | http://localhost:11434/v1",
      "https://bücher.example/Avatar.PNG | https://xn--bcher-kva.example/Avatar.PNG",
      "https://cdn.example/a.png?v=1/ | https://cdn.example/a.png?v=1/",
      "https://cdn.example | https://cdn.example"})
  void urls_get_a_browsers_scheme_and_host_and_keep_their_path(String typed, String expected) {
    assertThat(WebAddresses.url("widget.avatar_url", typed, false)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"file:///etc/passwd", "javascript:alert(1)", "data:text/html,x", "https://",
      "https://user:pw@cdn.example/a.png", "https://cdn.example/a b.png", "http://0x7f.1/", "//cdn.example/a.png"})
  void what_is_not_an_acceptable_url_is_422_naming_the_field(String typed) {
    assertThatThrownBy(() -> WebAddresses.url("widget.avatar_url", typed, false))
        .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.field()).isEqualTo("widget.avatar_url"));
  }

  @org.junit.jupiter.api.Test
  void a_base_url_may_carry_credentials_but_its_host_is_still_normalised() {
    assertThat(WebAddresses.url("base_url", "https://u:p@Proxy.Example:443/v1/", true))
        .isEqualTo("https://u:p@proxy.example/v1");
  }
}
