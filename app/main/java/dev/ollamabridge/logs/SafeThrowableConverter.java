package dev.ollamabridge.logs;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;

/**
 * {@code %safeEx}: a stack trace as {@code %ex} writes it, with every exception's message (its
 * causes' and suppressed ones' too) as {@link LogText#oneLine}: the trace keeps its own lines, and
 * a message from outside (a backend's status line in a {@code ProtocolException}) gains none.
 */
public final class SafeThrowableConverter extends ThrowableProxyConverter {

  @Override
  protected String throwableProxyToString(IThrowableProxy proxy) {
    return super.throwableProxyToString(new Escaped(proxy));
  }

  private record Escaped(IThrowableProxy original) implements IThrowableProxy {

    @Override
    public String getMessage() {
      return LogText.oneLine(original.getMessage());
    }

    @Override
    public String getOverridingMessage() {
      return LogText.oneLine(original.getOverridingMessage());
    }

    @Override
    public String getClassName() {
      return original.getClassName();
    }

    @Override
    public StackTraceElementProxy[] getStackTraceElementProxyArray() {
      return original.getStackTraceElementProxyArray();
    }

    @Override
    public int getCommonFrames() {
      return original.getCommonFrames();
    }

    @Override
    public IThrowableProxy getCause() {
      return original.getCause() == null ? null : new Escaped(original.getCause());
    }

    @Override
    public IThrowableProxy[] getSuppressed() {
      IThrowableProxy[] suppressed = original.getSuppressed();
      if (suppressed == null) {
        return null;
      }
      IThrowableProxy[] escaped = new IThrowableProxy[suppressed.length];
      for (int i = 0; i < suppressed.length; i++) {
        escaped[i] = new Escaped(suppressed[i]);
      }
      return escaped;
    }

    @Override
    public boolean isCyclic() {
      return original.isCyclic();
    }
  }
}
