package dev.ollamabridge.console.backup;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The backup's secrets sealed with a passphrase: AES-256-GCM (JDK), the key derived by
 * PBKDF2-HMAC-SHA256 with OWASP's 600 000 iterations and a random 16-byte salt; a fresh 12-byte nonce.
 */
final class SecretBox {

  static final String CIPHER = "AES-256-GCM";
  static final String KDF = "PBKDF2-HMAC-SHA256";
  static final int ITERATIONS = 600_000;
  /** More would only slow a restore; a backup asking for more is refused as hostile. */
  private static final int MAX_ITERATIONS = 10_000_000;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private SecretBox() {}

  /** A sealed payload and how to open it again. */
  record Sealed(byte[] bytes, BackupManifest.Encryption encryption) {}

  static Sealed seal(byte[] plain, char[] passphrase, String associatedData) {
    byte[] salt = random(16);
    byte[] nonce = random(12);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, passphrase, salt, ITERATIONS, nonce);
      cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
      Base64.Encoder base64 = Base64.getEncoder();
      return new Sealed(cipher.doFinal(plain),
          new BackupManifest.Encryption(CIPHER, KDF, ITERATIONS, base64.encodeToString(salt), base64.encodeToString(nonce)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
    }
  }

  /** The secrets, or a {@link BackupRefused} when the passphrase is wrong or the backup was changed. */
  static byte[] open(byte[] sealed, BackupManifest.Encryption encryption, char[] passphrase, String associatedData) {
    if (!CIPHER.equals(encryption.cipher()) || !KDF.equals(encryption.kdf()) || encryption.iterations() < 100_000
        || encryption.iterations() > MAX_ITERATIONS) {
      throw new BackupRefused("the backup's secrets are sealed in a way this console does not open ("
          + encryption.cipher() + ", " + encryption.kdf() + ", " + encryption.iterations() + " iterations)");
    }
    byte[] salt;
    byte[] nonce;
    try {
      salt = Base64.getDecoder().decode(encryption.salt());
      nonce = Base64.getDecoder().decode(encryption.nonce());
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new BackupRefused("the backup's manifest has no usable salt and nonce for its secrets");
    }
    if (salt.length < 16 || salt.length > 64 || nonce.length != 12) {
      throw new BackupRefused("the backup's manifest has no usable salt and nonce for its secrets");
    }
    try {
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, passphrase, salt, encryption.iterations(), nonce);
      cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
      return cipher.doFinal(sealed);
    } catch (AEADBadTagException e) {
      throw new BackupRefused("the passphrase is wrong, or the backup was changed since it was made");
    } catch (GeneralSecurityException e) {
      throw new BackupRefused("the backup's secrets cannot be opened: " + e.getMessage());
    }
  }

  private static Cipher cipher(int mode, char[] passphrase, byte[] salt, int iterations, byte[] nonce)
      throws GeneralSecurityException {
    PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, 256);
    byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    spec.clearPassword();
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
      return cipher;
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static byte[] random(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return random;
  }
}
