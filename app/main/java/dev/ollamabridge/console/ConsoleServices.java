package dev.ollamabridge.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.alerts.AlertService;
import dev.ollamabridge.console.auth.AdminAccount;
import dev.ollamabridge.console.auth.ApiTokens;
import dev.ollamabridge.console.auth.LoginThrottle;
import dev.ollamabridge.console.auth.Sessions;
import dev.ollamabridge.console.backup.BackupService;
import dev.ollamabridge.console.cache.SharedCache;
import dev.ollamabridge.console.metrics.BridgeScraper;
import dev.ollamabridge.console.metrics.ConsoleMetrics;
import dev.ollamabridge.console.edges.EdgeService;
import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.nginx.ConfigSource;
import dev.ollamabridge.console.nginx.NginxApplier;
import dev.ollamabridge.console.nginx.RevisionRepository;
import dev.ollamabridge.console.hosts.HostService;
import dev.ollamabridge.console.instances.InstanceService;
import dev.ollamabridge.console.jdk.BridgeJava;
import dev.ollamabridge.console.keys.KeyService;
import dev.ollamabridge.console.logs.RequestLogs;
import dev.ollamabridge.console.models.ModelService;
import dev.ollamabridge.console.settings.SettingsService;
import dev.ollamabridge.console.usage.UsageService;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The console's services, built once by {@link ConsoleApp} and handed to both adapters, the REST
 * API and the web pages, so that neither holds logic of its own.
 *
 * @param applier empty when nginx.mode is off: the files are only rendered
 * @param bridgeJava the java the bridges are launched on, chosen at start
 * @param cache the Redis the bridges share as a cache tier, and whether it answers
 * @param dataDir the console's data directory
 * @param json the process's one JSON mapper
 * @param usage what the cluster's keys used, rolled up from the bridges' counters
 * @param alerts the webhooks, rules and deliveries of alerts
 * @param backups the backups the console makes into backup.dir
 * @param keys the cluster's client keys
 * @param requestLogs the last requests across the cluster, from every bridge's and nginx's logs
 */
public record ConsoleServices(
    InstanceService instances,
    HostService hosts,
    ModelService models,
    SettingsService settings,
    EventLog events,
    ConfigSource configs,
    Optional<NginxApplier> applier,
    RevisionRepository revisions,
    EdgeService edges,
    ApiTokens tokens,
    AdminAccount admin,
    Sessions sessions,
    LoginThrottle logins,
    BridgeScraper scraper,
    ConsoleMetrics metrics,
    BridgeJava bridgeJava,
    SharedCache cache,
    Path dataDir,
    ObjectMapper json,
    UsageService usage,
    AlertService alerts,
    BackupService backups,
    KeyService keys,
    RequestLogs requestLogs) {}
