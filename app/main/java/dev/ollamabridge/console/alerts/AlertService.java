package dev.ollamabridge.console.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.validation.Violation;
import dev.ollamabridge.console.metrics.Figures;
import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.logs.LogText;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's alerts: webhooks and rules as the operator set them, alerts raised and resolved by
 * what the console observes ({@link AlertFeeds}, {@link ThresholdWatch}), each recorded as an event
 * and posted to every enabled webhook. An alert fires once for its subject until it is resolved; what
 * fires is kept in the database, so a restarted console neither fires it again nor misses its resolution.
 *
 * <p>Every change of an alert's state runs on one thread of its own, so the callers (health checks,
 * the hosts' watch, nginx's apply thread) never wait for the database or a webhook.
 */
public final class AlertService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AlertService.class);
  public static final int MAX_WEBHOOKS = 20;
  static final int MAX_SUBJECT = 200;
  static final int MAX_MESSAGE = 1000;
  /** The kind a Send test posts; no rule has it. */
  public static final String TEST = "test";

  /** An alert that fires now. */
  public record Firing(AlertKind kind, String subject, String message, java.time.Instant since) {}

  private final AlertStore store;
  private final EventLog events;
  private final ObjectMapper json;
  private final String console;
  private final Clock clock;
  private final WebhookSender sender;
  private final Map<String, Firing> firing = new ConcurrentHashMap<>();
  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "alerts");
    thread.setDaemon(true);
    return thread;
  });

  /**
   * @param http the console's client; deliveries get their own timeouts and follow no redirects
   * @param console how the payloads name this console (its machine's name)
   */
  public AlertService(Database database, EventLog events, ObjectMapper json, OkHttpClient http, String console,
      DeliveryPolicy policy, Clock clock) {
    this.store = new AlertStore(database);
    this.events = events;
    this.json = json;
    this.console = console;
    this.clock = clock;
    this.sender = new WebhookSender(store, policy, http);
    store.abandonPending("the console stopped before this delivery ended");
    store.firing().forEach(f -> firing.put(key(f.kind(), f.subject()), f));
  }

  /**
   * Evaluates the threshold rules every {@code every}: each bridge's latest figures (error ratio, p95
   * latency) and the keys' budgets. Also resolves instance_down for an instance that left the bridges
   * (stopped on purpose, disabled, removed), whose health checks stopped with it.
   *
   * @param bridges the bridges that should run, by instance id → name: enabled and not stopped on purpose
   * @param latest a bridge's latest figures ({@code BridgeScraper::latest})
   */
  public void watch(Supplier<Map<Long, String>> bridges, LongFunction<Optional<Figures>> latest, KeyBudgets budgets,
      Duration every) {
    ThresholdWatch watch = new ThresholdWatch(bridges, latest, budgets, firing.values().stream()
        .map(f -> f.kind().word() + "|" + f.subject()).toList());
    worker.scheduleWithFixedDelay(() -> {
      try {
        watch.round(store.rules(), clock.instant(), this::change);
        java.util.Collection<String> running = bridges.get().values();
        for (Firing down : List.copyOf(firing.values())) {
          if (down.kind() == AlertKind.INSTANCE_DOWN && !running.contains(down.subject())) {
            change(AlertKind.INSTANCE_DOWN, down.subject(), Alert.State.RESOLVED,
                "instance " + down.subject() + " was stopped on purpose, disabled or removed");
          }
        }
      } catch (RuntimeException e) {
        log.warn("alert rules round failed: {}", e.toString());
      }
    }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Fires the rule of {@code kind} for {@code subject}, unless it is off or fires for it already. */
  public void raise(AlertKind kind, String subject, String message) {
    onWorker(() -> change(kind, subject, Alert.State.FIRING, message));
  }

  /** Resolves the firing alert of {@code kind} for {@code subject}; nothing when none fires. */
  public void resolve(AlertKind kind, String subject, String message) {
    onWorker(() -> change(kind, subject, Alert.State.RESOLVED, message));
  }

  /** Forgets a firing alert whose subject went away on purpose (a host revoked): nothing is posted. */
  public void forget(AlertKind kind, String subject) {
    onWorker(() -> {
      if (firing.remove(key(kind, subject)) != null) {
        store.resolved(kind, subject);
      }
    });
  }

  /** How the payloads name this console: its machine, where the posts come from. */
  public String machine() {
    return console;
  }

  /** The alerts firing now, oldest first. */
  public List<Firing> firing() {
    return firing.values().stream().sorted(java.util.Comparator.comparing(Firing::since)).toList();
  }

  /** Runs on the alerts' thread; dropped when the service is closing. */
  void onWorker(Runnable task) {
    try {
      worker.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          log.warn("alert failed: {}", e.toString());
        }
      });
    } catch (RejectedExecutionException closing) {
      log.debug("alert dropped while the console stops");
    }
  }

  /** On the worker: the state change, if it is one, recorded and posted. */
  private void change(AlertKind kind, String subject, Alert.State state, String message) {
    subject = LogText.oneLine(subject, MAX_SUBJECT);
    message = LogText.oneLine(message, MAX_MESSAGE);
    String key = key(kind, subject);
    if (state == Alert.State.FIRING) {
      if (!store.rules().get(kind).enabled() || firing.containsKey(key)) {
        return;
      }
      Firing fires = new Firing(kind, subject, message, clock.instant());
      store.fires(fires);
      firing.put(key, fires);
    } else if (firing.remove(key) == null) {
      return;
    } else {
      store.resolved(kind, subject);
    }
    post(new Alert(kind.word(), state, subject, message, clock.instant()), store.webhooks().stream()
        .filter(Webhook::enabled).toList());
  }

  private void post(Alert alert, List<Webhook> to) {
    events.record("alerts", TEST.equals(alert.kind()) ? "alert.test" : "alert." + alert.state().word(), alert.subject(),
        alert.kind()
        + (alert.message() == null ? "" : ": " + alert.message()));
    String summary = LogText.oneLine(alert.kind() + " " + alert.state().word()
        + (alert.subject() == null ? "" : " · " + alert.subject()) + (alert.message() == null ? "" : ": " + alert.message()), 300);
    for (Webhook webhook : to) {
      long id = store.addDelivery(webhook, alert, summary);
      sender.send(id, webhook.url(), Payloads.body(json, webhook.format(), alert, console));
    }
  }

  private static String key(AlertKind kind, String subject) {
    return kind.word() + "\u0000" + subject;
  }

  // --- webhooks ---

  public List<Webhook> webhooks() {
    return store.webhooks();
  }

  public Webhook webhook(long id) {
    return store.webhook(id).orElseThrow(() -> new AlertNotFound("no webhook has id " + id));
  }

  /** A new webhook; every field but {@code enabled} (default on) and {@code format} (default generic) is required. */
  public Webhook addWebhook(WebhookChanges changes, String actor) {
    List<Violation> wrong = new ArrayList<>();
    if (changes.name() == null) {
      wrong.add(new Violation("name", "name is required: say where the alerts go, e.g. ops-slack"));
    }
    if (changes.url() == null) {
      wrong.add(new Violation("url", "url is required: the http:// or https:// URL alerts are posted to"));
    }
    wrong.addAll(changes.violations());
    if (!wrong.isEmpty()) {
      throw new InvalidInput(wrong);
    }
    synchronized (store) {
      if (store.webhooks().size() >= MAX_WEBHOOKS) {
        throw new InvalidInput("url", "there are " + MAX_WEBHOOKS + " webhooks already: delete one first");
      }
      Webhook added = store.addWebhook(changes.name(), changes.url(),
          changes.format() == null ? Webhook.GENERIC : changes.format(),
          changes.enabled() == null || changes.enabled(), clock.instant());
      events.record(actor, "alert.webhook_add", added.name(), added.format() + " webhook " + added.shownUrl());
      return added;
    }
  }

  public Webhook updateWebhook(long id, WebhookChanges changes, String actor) {
    if (!changes.violations().isEmpty()) {
      throw new InvalidInput(changes.violations());
    }
    synchronized (store) {
      Webhook now = webhook(id);
      Webhook changed = new Webhook(id, changes.name() != null ? changes.name() : now.name(),
          changes.url() != null ? changes.url() : now.url(), changes.format() != null ? changes.format() : now.format(),
          changes.enabled() != null ? changes.enabled() : now.enabled(), now.createdAt());
      if (!changed.equals(now)) {
        store.updateWebhook(changed);
        events.record(actor, "alert.webhook_change", changed.name(), (changed.enabled() ? "on, " : "off, ")
            + changed.format() + " webhook " + changed.shownUrl());
      }
      return changed;
    }
  }

  public void deleteWebhook(long id, String actor) {
    Webhook gone = webhook(id);
    if (store.deleteWebhook(id)) {
      events.record(actor, "alert.webhook_delete", gone.name(), null);
    }
  }

  /** Posts a test alert to one webhook, on or off; its delivery shows in the log like any other. */
  public void test(long id, String actor) {
    Webhook webhook = webhook(id);
    onWorker(() -> post(new Alert(TEST, Alert.State.FIRING, webhook.name(),
        "a test alert from the console, sent by " + actor, clock.instant()), List.of(webhook)));
  }

  // --- rules and deliveries ---

  public List<Rule> rules() {
    return List.copyOf(store.rules().values());
  }

  /**
   * Changes some rules; each change is checked before any is kept. A rule turned off forgets what it
   * fires, without posting a resolution.
   */
  public List<Rule> updateRules(List<RuleChange> changes, String actor) {
    synchronized (store) {
      Map<AlertKind, Rule> rules = store.rules();
      List<Violation> wrong = new ArrayList<>();
      List<Rule> changed = new ArrayList<>();
      for (RuleChange change : changes) {
        change.applyTo(rules.get(change.kind()), wrong).ifPresent(changed::add);
      }
      if (!wrong.isEmpty()) {
        throw new InvalidInput(wrong);
      }
      store.saveRules(changed);
      for (Rule rule : changed) {
        events.record(actor, "alert.rule_change", rule.kind().word(), (rule.enabled() ? "on" : "off")
            + (rule.threshold() == null ? "" : ", threshold " + rule.kind().format(rule.threshold()) + " " + rule.kind().unit())
            + (rule.minutes() == null ? "" : ", for " + rule.minutes() + " min"));
        if (!rule.enabled()) {
          onWorker(() -> {
            firing.keySet().removeIf(key -> key.startsWith(rule.kind().word() + "\u0000"));
            store.resolvedAll(rule.kind());
          });
        }
      }
      return rules();
    }
  }

  /** The newest deliveries first, at most {@code limit}. */
  public List<Delivery> deliveries(int limit) {
    return store.deliveries(limit);
  }

  @Override
  public void close() {
    worker.shutdownNow();
    sender.close();
  }
}
