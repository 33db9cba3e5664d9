package dev.ollamabridge.bridge.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class ImageTypeTest {

  @Test
  void theTypeComesFromTheImagesOwnFirstBytes() {
    assertThat(ImageType.of(base64(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13))).isEqualTo("image/png");
    assertThat(ImageType.of(base64(0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'))).isEqualTo("image/jpeg");
    assertThat(ImageType.of(base64('G', 'I', 'F', '8', '9', 'a', 1, 0))).isEqualTo("image/gif");
    assertThat(ImageType.of(base64('R', 'I', 'F', 'F', 0x24, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P'))).isEqualTo("image/webp");
  }

  @Test
  void bytesOfNoKnownTypeOrNotBase64AreTakenForPng() {
    assertThat(ImageType.of(base64(1, 2, 3, 4, 5, 6))).isEqualTo("image/png");
    assertThat(ImageType.of("not base64 at all!")).isEqualTo("image/png");
  }

  /** The bytes at the start of a larger image, as a client sends it in base64. */
  private static String base64(int... bytes) {
    byte[] raw = new byte[bytes.length + 30];
    for (int i = 0; i < bytes.length; i++) {
      raw[i] = (byte) bytes[i];
    }
    return Base64.getEncoder().encodeToString(raw);
  }
}
