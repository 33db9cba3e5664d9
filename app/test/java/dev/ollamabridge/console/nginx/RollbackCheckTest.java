package dev.ollamabridge.console.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a rollback would change in nginx's servers, read from the two configurations' cluster upstreams. */
class RollbackCheckTest {

  private static final String THEN = """
      upstream bridge_cluster {
          zone bridge_cluster 64k;
          server 127.0.0.1:3001 weight=1 max_fails=2 fail_timeout=30s; # a
          server 127.0.0.1:3002 weight=1 max_fails=2 fail_timeout=30s; # b
          server 127.0.0.1:3003 weight=2 max_fails=2 fail_timeout=30s down; # c: down, failing its health checks
          keepalive 32;
      }
      upstream group_1 {
          server 127.0.0.1:3009 weight=1 max_fails=2 fail_timeout=30s; # z
      }
      """;

  @Test
  void theSameServersAreNoDifferenceWhateverElseChanged() {
    assertThat(RollbackCheck.differences(THEN, THEN.replace("keepalive 32", "keepalive 17")
        .replace("# z", "# y"))).isEmpty();
  }

  @Test
  void eachInstanceBroughtBackDroppedReweightedMovedOrTurnedUpOrDownIsSaid() {
    String now = """
        upstream bridge_cluster {
            server 127.0.0.1:3001 weight=7 max_fails=2 fail_timeout=30s down; # a: down, stopped
            server 127.0.0.1:3012 weight=1 max_fails=2 fail_timeout=30s; # b
            server 127.0.0.1:3004 weight=1 max_fails=2 fail_timeout=30s; # d
            keepalive 32;
        }
        """;

    assertThat(RollbackCheck.differences(THEN, now)).containsExactly(
        "weight of a 1 instead of 7",
        "routes to a, which is down now (stopped)",
        "b at 127.0.0.1:3002 instead of 127.0.0.1:3012",
        "brings back c (127.0.0.1:3003), which is no instance now, marked down",
        "drops d (127.0.0.1:3004): nginx would send it nothing");
  }
}
