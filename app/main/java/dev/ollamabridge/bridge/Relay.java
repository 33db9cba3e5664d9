package dev.ollamabridge.bridge;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import okhttp3.MediaType;
import okhttp3.Response;

/** An upstream's answer passed on as it is: status, type and body, each piece flushed as it comes. */
final class Relay {

  private Relay() {}

  static void streamed(Context ctx, Response response) throws IOException {
    ctx.status(response.code());
    MediaType type = response.body().contentType();
    if (type != null) {
      ctx.contentType(type.toString());
    }
    if ("text/event-stream".equals(type == null ? null : type.type() + "/" + type.subtype())) {
      ctx.header("Cache-Control", "no-cache");
      ctx.header("X-Accel-Buffering", "no"); // tells nginx not to buffer this stream
    }
    if (ctx.method().name().equals("HEAD")) {
      return;
    }
    OutputStream out = ctx.res().getOutputStream();
    try (InputStream in = response.body().byteStream()) {
      byte[] buffer = new byte[8192];
      for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (IOException e) {
      if (!ctx.res().isCommitted()) {
        throw new ApiException(502, "the upstream broke off its answer", null, "upstream_error");
      }
      throw e;
    }
  }
}
