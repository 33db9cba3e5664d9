package dev.ollamabridge.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Addresses in failures are written as people write them: host:port, IPv6 bracketed and short. */
class CallFailuresTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Failed to connect to /127.0.0.1:3001                 | Failed to connect to 127.0.0.1:3001",
      "Failed to connect to localhost/127.0.0.1:3001        | Failed to connect to 127.0.0.1:3001",
      "Failed to connect to /[0:0:0:0:0:0:0:1]:3001         | Failed to connect to [::1]:3001",
      "to /[fe80:0:0:0:1:0:0:2]:80 and /[2001:db8:0:0:0:0:2:1]:8080 | to [fe80::1:0:0:2]:80 and [2001:db8::2:1]:8080",
      "see http://example.com/path:80 as it is              | see http://example.com/path:80 as it is"})
  void javaAddressesBecomeHostPort(String java, String shown) {
    assertThat(CallFailures.addresses(java)).isEqualTo(shown);
  }

  @Test
  void aRefusedConnectionSaysNothingListensThere() throws IOException {
    int port;
    try (ServerSocket nothing = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = nothing.getLocalPort();
    }
    OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();
    IOException failure = null;
    try {
      http.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/health").build()).execute().close();
    } catch (IOException e) {
      failure = e;
    }

    assertThat(failure).isInstanceOf(ConnectException.class).hasMessageContaining("/127.0.0.1:" + port);
    assertThat(CallFailures.describe(failure, "127.0.0.1:" + port))
        .isEqualTo("127.0.0.1:" + port + " refused the connection (nothing listens there)");
  }
}
