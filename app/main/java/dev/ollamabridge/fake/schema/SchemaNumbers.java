package dev.ollamabridge.fake.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * A number that a schema's {@code minimum}, {@code maximum}, {@code exclusiveMinimum},
 * {@code exclusiveMaximum} (draft 4's booleans too) and {@code multipleOf} accept: near 1, or
 * 1 + variant, in exact decimal arithmetic; bounds that are not finite numbers are not read.
 */
final class SchemaNumbers {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private SchemaNumbers() {}



  /** A number for {@code flat} (a schema already flattened), an integer if {@code integer}. */
  static JsonNode of(ObjectNode flat, boolean integer, int variant) {
    BigDecimal low = finite(flat.path("minimum"));
    BigDecimal high = finite(flat.path("maximum"));
    boolean lowOpen = flat.path("exclusiveMinimum").asBoolean(false) && flat.path("exclusiveMinimum").isBoolean();
    boolean highOpen = flat.path("exclusiveMaximum").asBoolean(false) && flat.path("exclusiveMaximum").isBoolean();
    BigDecimal exclusiveLow = finite(flat.path("exclusiveMinimum"));
    if (exclusiveLow != null && (low == null || exclusiveLow.compareTo(low) >= 0)) {
      low = exclusiveLow;
      lowOpen = true;
    }
    BigDecimal exclusiveHigh = finite(flat.path("exclusiveMaximum"));
    if (exclusiveHigh != null && (high == null || exclusiveHigh.compareTo(high) <= 0)) {
      high = exclusiveHigh;
      highOpen = true;
    }
    BigDecimal multiple = finite(flat.path("multipleOf"));
    BigDecimal step = multiple == null || multiple.signum() <= 0
        ? BigDecimal.ONE
        : integer ? integralStep(multiple) : multiple.stripTrailingZeros();
    Range range = new Range(low, lowOpen, high, highOpen);
    BigDecimal chosen = range.onStep(BigDecimal.valueOf(1L + variant), step);
    if (chosen == null && !integer && (multiple == null || multiple.signum() <= 0)) {
      chosen = range.between();
    }
    return number(chosen == null ? (low != null ? low : high != null ? high : BigDecimal.ONE) : chosen);
  }

  /** The smallest positive integer that is a multiple of {@code multiple}: p for p/q in lowest terms. */
  private static BigDecimal integralStep(BigDecimal multiple) {
    BigDecimal reduced = multiple.stripTrailingZeros();
    if (reduced.scale() <= 0) {
      return reduced;
    }
    BigInteger numerator = reduced.unscaledValue();
    BigInteger denominator = BigInteger.TEN.pow(reduced.scale());
    return new BigDecimal(numerator.divide(numerator.gcd(denominator)));
  }

  private static BigDecimal finite(JsonNode number) {
    if (!number.isNumber() || number.isFloatingPointNumber() && !Double.isFinite(number.doubleValue())) {
      return null;
    }
    return number.decimalValue();
  }

  private static JsonNode number(BigDecimal value) {
    BigDecimal plain = value.stripTrailingZeros();
    if (plain.scale() > 0) {
      return NODES.numberNode(plain);
    }
    BigInteger whole = plain.toBigIntegerExact();
    if (whole.bitLength() < 32) {
      return NODES.numberNode(whole.intValue()); // as a parser reads it back, so the two compare equal
    }
    return whole.bitLength() < 64 ? NODES.numberNode(whole.longValue()) : NODES.numberNode(whole);
  }

  /** The bounds of a number; a null bound is open-ended. */
  private record Range(BigDecimal low, boolean lowOpen, BigDecimal high, boolean highOpen) {

    boolean holds(BigDecimal value) {
      return (low == null || (lowOpen ? value.compareTo(low) > 0 : value.compareTo(low) >= 0))
          && (high == null || (highOpen ? value.compareTo(high) < 0 : value.compareTo(high) <= 0));
    }

    /** The multiple of {@code step} nearest above {@code wished} (or above the low bound), else the highest one. */
    BigDecimal onStep(BigDecimal wished, BigDecimal step) {
      BigDecimal from = low != null && wished.compareTo(low) < 0 ? low : wished;
      BigDecimal up = from.divide(step, 0, RoundingMode.CEILING).multiply(step);
      if (!holds(up)) {
        up = up.add(step);
      }
      if (holds(up)) {
        return up;
      }
      if (high == null) {
        return null;
      }
      BigDecimal down = high.divide(step, 0, RoundingMode.FLOOR).multiply(step);
      if (!holds(down)) {
        down = down.subtract(step);
      }
      return holds(down) ? down : null;
    }

    /** A number inside the bounds when no whole step fits: the low bound, or halfway. */
    BigDecimal between() {
      if (low != null && high != null) {
        return !lowOpen && holds(low) ? low : low.add(high).divide(BigDecimal.valueOf(2));
      }
      if (low != null) {
        return lowOpen ? low.add(BigDecimal.ONE) : low;
      }
      return high == null ? BigDecimal.ONE : highOpen ? high.subtract(BigDecimal.ONE) : high;
    }
  }
}
