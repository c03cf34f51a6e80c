package dev.parley.http.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * {@code sso.oidc.allowed_email_domains} compares domains as mail does: an internationalised domain and its ASCII form
 * are one domain, in either place, and case does not count.
 */
class AllowedDomainsTest {

  private static Admission allowing(String domain) {
    return new Admission(OidcSettings.from(new JsonObject().put("oidc", new JsonObject()
        .put("issuer", "https://id.example.com").put("client_id", "parley")
        .put("allowed_email_domains", new JsonArray().add(domain))), "https://chat.example.com"));
  }

  private static JsonObject claims(String email) {
    return new JsonObject().put("email", email).put("email_verified", true);
  }

  @Test
  void an_allowed_internationalised_domain_admits_its_ascii_form_and_the_reverse() {
    assertThat(allowing("Bücher.de").email(claims("jo@xn--bcher-kva.de"))).isEqualTo("jo@xn--bcher-kva.de");
    assertThat(allowing("@xn--bcher-kva.de").email(claims("Jo@BÜCHER.de"))).isEqualTo("jo@bücher.de");
  }

  @Test
  void a_display_name_from_the_providers_claims_is_made_one_line() {
    assertThat(Admission.displayName(new JsonObject().put("name", "Jo\r\nBcc: spy@example.test\u202e"), "jo@x.de"))
        .isEqualTo("Jo Bcc: spy@example.test");
    assertThat(Admission.displayName(new JsonObject().put("given_name", "Jo\t").put("family_name", "\u0007Lee"),
        "jo@x.de")).isEqualTo("Jo Lee");
    assertThat(Admission.displayName(new JsonObject().put("name", "Familie \uD83D\uDC68\u200D\uD83D\uDC69"),
        "jo@x.de")).as("a joiner stays").isEqualTo("Familie \uD83D\uDC68\u200D\uD83D\uDC69");
  }

  @Test
  void another_domain_is_still_refused() {
    assertThatThrownBy(() -> allowing("bücher.de").email(claims("jo@buecher.de")))
        .isInstanceOf(ParleyException.class).hasMessageContaining("may not sign in here");
  }
}
