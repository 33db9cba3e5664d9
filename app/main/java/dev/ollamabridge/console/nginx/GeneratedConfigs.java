package dev.ollamabridge.console.nginx;

import dev.ollamabridge.console.files.GeneratedFiles;

/** The generated files as they would be rendered now, and the applier that puts nginx.conf in place. */
public interface GeneratedConfigs {

  String render(GeneratedFiles.Kind kind);

  /** supervisor.conf with its secrets referenced from supervisord's environment, or in clear. */
  String renderSupervisor(GeneratedFiles.Secrets secrets);

  /** The applier, or null when nginx.mode is off. */
  NginxApplier applier();
}
