package io.durableruns.http;

import io.javalin.http.HttpStatus;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers the errors Jetty decides before a request reaches the routes (an undecodable URI, headers that are
 * too large) in the same JSON shape as every other error, without Jetty's HTML page or any detail.
 */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Responses.JSON);
        response.write(true, ByteBuffer.wrap(body(code)), callback);
    }

    static byte[] body(int status) {
        String reason = HttpStatus.forStatus(status).getMessage();
        String code = status >= 500 ? "internal" : status == 404 ? "not_found" : "bad_request";
        return JsonViews.bytes(JsonViews.error(code, "The server refused the request: HTTP " + status + " " + reason));
    }
}
