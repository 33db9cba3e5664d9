package dev.ollamabridge.fake;

import dev.ollamabridge.digest.Sha256;
import java.util.List;
import java.util.Optional;

/** The models the fake pretends to have pulled ({@code --models}). */
final class ModelCatalog {

  /** One model as listings show it; size and digest are invented but stable. */
  record Model(String name, String digest, long size) {}

  /** Roughly a 1B model at Q4_K_M, so listings look like a real small model. */
  private static final long SIZE_BYTES = 1_321_098_329L;

  private final List<Model> models;

  ModelCatalog(List<String> names) {
    this.models = names.stream().map(name -> new Model(name, Sha256.hex(name), SIZE_BYTES)).toList();
  }

  List<Model> all() {
    return models;
  }

  /**
   * Finds a model as Ollama does, where {@code name} and {@code name:latest} are the same model and
   * names differ not by case ({@code Llama3} finds {@code llama3}).
   */
  Optional<Model> find(String requested) {
    String wanted = withoutLatestTag(requested);
    return models.stream().filter(model -> withoutLatestTag(model.name()).equalsIgnoreCase(wanted)).findFirst();
  }

  private static String withoutLatestTag(String name) {
    return name.endsWith(":latest") ? name.substring(0, name.length() - ":latest".length()) : name;
  }
}
