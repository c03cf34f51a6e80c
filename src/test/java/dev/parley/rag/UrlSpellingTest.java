package dev.parley.rag;

import dev.parley.common.InternalAddresses;
import dev.parley.common.UrlSpelling;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A document URL is stored as a browser writes it, so two spellings of one page are one document. */
class UrlSpellingTest {

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', value = {
      "HTTPS://Docs.Example.com/Guide | https://docs.example.com/Guide",
      "https://docs.example.com:443/a?Q=1#Top | https://docs.example.com/a?Q=1#Top",
      "http://docs.example.com:80/ | http://docs.example.com/",
      "http://docs.example.com:8080/a%2Fb | http://docs.example.com:8080/a%2Fb",
      "https://docs.example.com | https://docs.example.com"})
  void scheme_host_and_default_port_are_written_one_way_and_the_rest_is_kept(String typed, String stored) {
    assertThat(UrlSpelling.parse(typed).toString()).isEqualTo(stored);
  }
}
