package dev.ollamabridge.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.testing.Keepalived.Vrrp;
import dev.ollamabridge.testing.PacedGets.Outcome;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two front doors behind one address: nginx on two hosts, h1 and h2, each answering with its name,
 * and keepalived on both holding one virtual address, h1 (priority 150) before h2 (100). A client in
 * the root namespace sends a steady load to the address while h1 fails in each way an edge can; the
 * address moves to h2 and the load follows it. How long the move took and how many requests failed
 * on the way are printed (the figures of the README's "Two edges behind one address"), not asserted.
 */
class KeepalivedFailoverTest {

  private static final int PORT = 8080;
  private static final int VIRTUAL_ROUTER = 51;
  private static final int PER_SECOND = 20;
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path dir;

  private NetworkHosts hosts;
  private String vip;
  private NamedNginx nginx1;
  private NamedNginx nginx2;
  private Keepalived keepalived1;
  private Keepalived keepalived2;

  @BeforeEach
  void twoEdges() throws IOException {
    hosts = NetworkHosts.create("h1", "h2");
    vip = hosts.spareAddress();
    nginx1 = NamedNginx.start(hosts, "h1", PORT, dir.resolve("nginx-h1"));
    nginx2 = NamedNginx.start(hosts, "h2", PORT, dir.resolve("nginx-h2"));
  }

  /** Whatever a step leaves running in a host, closing the hosts kills. */
  @AfterEach
  void close() {
    try {
      for (AutoCloseable each : new AutoCloseable[] {keepalived1, keepalived2, nginx1, nginx2}) {
        if (each != null) {
          each.close();
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      if (hosts != null) {
        hosts.close();
      }
    }
  }

  @Test
  void aCrashedKeepalivedLeavesTheAddressToTheBackupAndRequestsKeepSucceeding() {
    keepalivedOnBoth(Vrrp.on(vip, VIRTUAL_ROUTER, 1));

    underLoad(load -> List.of(move(load, "kill -9 of h1's keepalived", keepalived1::kill, "h2")));

    assertThat(keepalived2.state()).contains("MASTER");
    assertThat(keepalived1.holdsVip()).as("a crash leaves the address on h1's interface; h2's gratuitous ARP took the traffic").isTrue();
  }

  @Test
  void aHostCutOffLosesTheAddressToTheBackup() {
    keepalivedOnBoth(Vrrp.on(vip, VIRTUAL_ROUTER, 1));

    underLoad(load -> List.of(move(load, "h1 cut off (its link down)", () -> hosts.partition("h1"), "h2")));

    assertThat(keepalived2.state()).contains("MASTER");
  }

  @Test
  void aFailingHealthCheckMovesTheAddressAndTheRecoveredHostWaitsAsBackup() {
    keepalivedOnBoth(Vrrp.on(vip, VIRTUAL_ROUTER, 1).withoutPreempt().checking(Keepalived.httpCheck(PORT, "/nginx-health")));

    underLoad(load -> {
      Move away = move(load, "h1's nginx stopped (its check fails)", nginx1::stop, "h2");
      awaitState(keepalived1, "FAULT");
      assertThat(keepalived1.alive()).isTrue();
      assertThat(keepalived1.holdsVip()).isFalse();

      nginx1.start();
      awaitState(keepalived1, "BACKUP");
      // a backup that preempts takes the address once it has heard no advert of a higher priority
      // for 3 intervals and its skew (3.4 s): 5 s of answers from h2 outlast that
      load.awaitOnlyAnswersFrom("h2", 5 * PER_SECOND);
      assertThat(keepalived1.state()).as("nopreempt: h1 back in health waits as the backup").contains("BACKUP");
      assertThat(keepalived1.holdsVip()).isFalse();

      return List.of(away, move(load, "h2's nginx stopped (h1 its backup)", nginx2::stop, "h1"));
    });
  }

  /**
   * A steady load on the address, from when h1 answers it, through what {@code steps} do; then
   * the moves they made are checked and their figures printed, once every request has ended (so
   * that those still waiting on a host that went dark are counted too).
   */
  private void underLoad(Function<PacedGets, List<Move>> steps) {
    PacedGets load = new PacedGets(url(), PER_SECOND);
    List<Move> moves;
    try (load) {
      load.awaitAnswersFrom("h1", PER_SECOND);
      moves = steps.apply(load);
    }
    assertEveryMoveHeld(load, moves);
  }

  /** One move of the address: what set it off and when, where it went, and the first answer from there. */
  private record Move(String event, long atNanos, String to, Outcome first) {}

  private static Move move(PacedGets load, String event, Runnable cause, String to) {
    long at = System.nanoTime();
    cause.run();
    return new Move(event, at, to, load.awaitAnswersFrom(to, PER_SECOND));
  }

  /** Prints each move's figures; once the new holder answered, every request sent after (until the next move) was answered by it. */
  private static void assertEveryMoveHeld(PacedGets load, List<Move> moves) {
    List<Outcome> outcomes = load.outcomes();
    for (int i = 0; i < moves.size(); i++) {
      Move move = moves.get(i);
      long next = i + 1 < moves.size() ? moves.get(i + 1).atNanos() : Long.MAX_VALUE;
      report(move, outcomes);
      List<Outcome> after = outcomes.stream()
          .filter(outcome -> outcome.sentNanos() > move.first().endedNanos() && outcome.sentNanos() < next).toList();
      assertThat(after).as("requests after the address answered from " + move.to()).isNotEmpty()
          .allSatisfy(outcome -> assertThat(outcome.answer()).as(outcome.toString()).isEqualTo(move.to()));
    }
  }

  /** keepalived on h1 (150), once it holds the address, then on h2 (100), once it is h1's backup. */
  private void keepalivedOnBoth(Vrrp vrrp) {
    keepalived1 = Keepalived.start(hosts, "h1", withPriority(vrrp, 150), dir.resolve("keepalived-h1"));
    await("h1 to hold " + vip).atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).until(keepalived1::holdsVip);
    keepalived2 = Keepalived.start(hosts, "h2", withPriority(vrrp, 100), dir.resolve("keepalived-h2"));
    awaitState(keepalived2, "BACKUP");
  }

  private static Vrrp withPriority(Vrrp vrrp, int priority) {
    return new Vrrp(vrrp.interfaceName(), vrrp.vip(), vrrp.virtualRouterId(), priority, vrrp.preempt(), vrrp.check());
  }

  private static void awaitState(Keepalived keepalived, String state) {
    await(keepalived.host() + "'s keepalived to enter " + state).atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
        .until(() -> keepalived.state().equals(Optional.of(state)));
  }

  private String url() {
    return "http://" + vip + ":" + PORT + "/";
  }

  /** The figures, for the record: from the event to the first answer from the new holder, and what failed since the event. */
  private static void report(Move move, List<Outcome> outcomes) {
    List<Outcome> since = outcomes.stream()
        .filter(outcome -> outcome.sentNanos() >= move.atNanos() && outcome.sentNanos() <= move.first().endedNanos()).toList();
    List<Outcome> failed = since.stream().filter(outcome -> outcome.failure() != null).toList();
    long slowest = since.stream().filter(outcome -> outcome.failure() == null)
        .mapToLong(outcome -> outcome.endedNanos() - outcome.sentNanos()).max().orElse(0);
    System.out.printf("KeepalivedFailover: %s → the address answered from %s %d ms later; of the %d requests sent in between"
            + " %d failed%s, the slowest answered took %d ms%n",
        move.event(), move.to(), TimeUnit.NANOSECONDS.toMillis(move.first().endedNanos() - move.atNanos()), since.size(), failed.size(),
        failed.isEmpty() ? "" : " (" + failed.get(0).failure() + ", …)", TimeUnit.NANOSECONDS.toMillis(slowest));
  }
}
