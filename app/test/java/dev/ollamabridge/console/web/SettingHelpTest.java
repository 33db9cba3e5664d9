package dev.ollamabridge.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.console.settings.Setting;
import org.junit.jupiter.api.Test;

class SettingHelpTest {

  @Test
  void everySettingHasALabelAndADescriptionNotItsKey() {
    for (Setting setting : Setting.values()) {
      SettingHelp help = SettingHelp.of(setting);
      assertThat(help.label()).as(setting.key()).isNotEqualTo(setting.key()).isNotBlank();
      assertThat(help.description()).as(setting.key()).isNotBlank();
    }
  }
}
