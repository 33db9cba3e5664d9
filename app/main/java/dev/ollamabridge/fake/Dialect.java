package dev.ollamabridge.fake;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Which API families the fake backend serves; requests to the others get 404. */
public enum Dialect {
  /** Ollama's native API under {@code /api/}. */
  OLLAMA,
  /** The OpenAI API under {@code /v1/}. */
  OPENAI,
  /** Both, as real Ollama does. */
  BOTH;

  boolean servesOllama() {
    return this != OPENAI;
  }

  boolean servesOpenAi() {
    return this != OLLAMA;
  }

  /** The word used on the command line and in logs. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Reads {@code ollama}, {@code openai} or {@code both} in any case, with a message that lists them. */
  public static final class Converter implements ITypeConverter<Dialect> {
    @Override
    public Dialect convert(String value) {
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("'" + value + "' is not a dialect; use ollama, openai or both");
      }
    }
  }
}
