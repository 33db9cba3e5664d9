package dev.ollamabridge.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Public-only: what a client may make the bridge reach (literals only here, so nothing is looked up). */
class AddressPolicyTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255",
      "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.255", "192.0.0.8", "192.0.2.1", "198.18.0.1",
      "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
      "::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::a00:1", "100::1", "fc00::1",
      "fd12:3456:789a::1", "fe80::1", "fec0::1", "ff02::1", "2001::1", "2001:db8::1", "2002:7f00:1::1", "3fff::1"})
  void aLoopbackPrivateLinkLocalMulticastOrOtherSpecialAddressIsRefused(String literal) throws Exception {
    assertThat(AddressPolicy.PUBLIC_ONLY.allows(new InetSocketAddress(InetAddress.getByName(literal), 80))).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"1.1.1.1", "8.8.8.8", "93.184.215.14", "172.15.255.255", "172.32.0.1", "100.63.255.255",
      "100.128.0.1", "223.255.255.254", "2606:4700:4700::1111", "2a00:1450:4001:800::200e", "2001:4860::8888"})
  void aPublicUnicastAddressIsAllowed(String literal) throws Exception {
    assertThat(AddressPolicy.PUBLIC_ONLY.allows(new InetSocketAddress(InetAddress.getByName(literal), 443))).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"example.com", "localhost"})
  void anUnresolvedNameIsRefused(String name) {
    assertThat(AddressPolicy.PUBLIC_ONLY.allows(InetSocketAddress.createUnresolved(name, 80))).isFalse();
  }
}
