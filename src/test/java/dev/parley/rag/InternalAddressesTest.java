package dev.parley.rag;

import dev.parley.common.InternalAddresses;
import dev.parley.common.UrlSpelling;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link InternalAddresses} judges an IPv6 address that carries an IPv4 address by what it carries: the
 * internal cases live in {@code security.AddressClassesTest} (through the API); here the same forms
 * carrying a public address stay fetchable, so the rule does not refuse a whole prefix by mistake.
 */
class InternalAddressesTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"93.184.215.14", "::ffff:0:5db8:d70e", "::ffff:0:93.184.215.14", "::ffff:5db8:d70e",
      "64:ff9b::5db8:d70e", "2002:5db8:d70e::1", "2001:0:5db8:d70e:0:0:a247:28f1", "2001:db8:1::5efe:5db8:d70e",
      "2001:db8:1:0:200:5efe:93.184.215.14", "2606:4700::6810:84e5", "2a00:1450:4001:80b::200e"})
  void a_public_address_in_any_form_is_not_internal(String literal) throws Exception {
    assertThat(InternalAddresses.isInternal(InetAddress.getByName(literal))).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"::ffff:0:7f00:1", "::ffff:0:0.0.0.0", "64:ff9b::c0a8:1", "2002:6440:1::", "::5efe:a9fe:a9fe",
      "2001:0:5db8:d70e::3fff:fffe", "fe80::5efe:5db8:d70e", "fd00::5efe:5db8:d70e", "64:ff9b:1::5db8:d70e"})
  void an_internal_address_in_any_form_is_internal(String literal) throws Exception {
    assertThat(InternalAddresses.isInternal(InetAddress.getByName(literal))).isTrue();
  }
}
