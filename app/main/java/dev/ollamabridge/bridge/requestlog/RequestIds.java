package dev.ollamabridge.bridge.requestlog;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A request's id: the client's own {@code X-Request-Id} when it is a plain token (so that a caller,
 * or the nginx in front, can follow its request here), else a new one of 32 lowercase hex digits.
 * An id is a name to look for, not a secret: it needs no secure randomness.
 */
public final class RequestIds {

  public static final String HEADER = "X-Request-Id";
  private static final Pattern TAKEN = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final HexFormat HEX = HexFormat.of();

  private RequestIds() {}

  /** The id of a request that came with {@code header} (null when it had none). */
  public static String of(String header) {
    if (header != null && TAKEN.matcher(header).matches()) {
      return header;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return HEX.toHexDigits(random.nextLong()) + HEX.toHexDigits(random.nextLong());
  }
}
