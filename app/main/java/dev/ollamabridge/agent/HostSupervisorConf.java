package dev.ollamabridge.agent;

import dev.ollamabridge.console.files.GeneratedFiles;
import dev.ollamabridge.console.supervise.SupervisePolicy;
import dev.ollamabridge.link.BridgeSpec;
import dev.ollamabridge.link.Desired;
import java.util.List;

/**
 * This host's bridges as a supervisord config, for operators who would rather run them under their own
 * supervisord: the console's rendering, with this host's java, jar and data directory, and the secrets
 * as references to supervisord's environment, never in the file.
 */
final class HostSupervisorConf {

  private final GeneratedFiles files = new GeneratedFiles();
  private final BridgePrograms programs;
  private final SupervisePolicy policy;

  HostSupervisorConf(BridgePrograms programs, SupervisePolicy policy) {
    this.programs = programs;
    this.policy = policy;
  }

  String render(Desired desired) {
    List<GeneratedFiles.SupervisedBridge> bridges = desired.bridges().stream()
        .map(this::supervised)
        .toList();
    return files.supervisor(bridges, programs.dataDir(), new GeneratedFiles.SupervisorKnobs(
        (int) policy.startSecs().toSeconds(), policy.startRetries(), (int) policy.stopWait().toSeconds(),
        (int) (policy.logMaxBytes() / (1024 * 1024)), policy.logBackups()), GeneratedFiles.Secrets.REFERENCED);
  }

  private GeneratedFiles.SupervisedBridge supervised(BridgeSpec bridge) {
    return new GeneratedFiles.SupervisedBridge(bridge.name(), programs.supervisordCommand(bridge), bridge.environment(),
        bridge.run());
  }
}
