package io.durableruns.qstash.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** One message held by the emulator, from publish until it is delivered, dead-lettered or cancelled. */
final class EmulatedMessage {
    enum State {
        PENDING,
        DELIVERED,
        DEAD,
        CANCELLED
    }

    final String id;
    final PublishSpec spec;
    final long createdAtMillis;
    final long notBeforeMillis;
    final String callerIp;
    /** Callbacks are messages QStash publishes itself; they get no callbacks of their own. */
    final boolean callback;

    private State state = State.PENDING;
    private int retried;
    private boolean duplicateSent;

    EmulatedMessage(
            String id,
            PublishSpec spec,
            long createdAtMillis,
            long notBeforeMillis,
            String callerIp,
            boolean callback) {
        this.id = id;
        this.spec = spec;
        this.createdAtMillis = createdAtMillis;
        this.notBeforeMillis = notBeforeMillis;
        this.callerIp = callerIp;
        this.callback = callback;
    }

    synchronized State state() {
        return state;
    }

    synchronized int retried() {
        return retried;
    }

    synchronized void retriedOnceMore() {
        retried++;
    }

    /** Moves from PENDING to {@code next}; false when the message already left PENDING. */
    synchronized boolean finish(State next) {
        if (state != State.PENDING) {
            return false;
        }
        state = next;
        return true;
    }

    /** True once: whether the extra (duplicate) delivery is still to be sent. */
    synchronized boolean takeDuplicate() {
        if (duplicateSent) {
            return false;
        }
        duplicateSent = true;
        return true;
    }

    /** The message as {@code GET /v2/messages/{id}} shows it. */
    ObjectNode toJson() {
        ObjectNode n = Json.object();
        n.put("messageId", id);
        n.put("url", spec.destination());
        n.put("method", spec.method());
        ObjectNode header = n.putObject("header");
        spec.deliveredHeaders().forEach((k, v) -> header.putArray(k).add(v));
        putBody(n, "body", "bodyBase64", spec.body());
        n.put("maxRetries", spec.maxRetries());
        if (spec.retryDelay() != null) {
            n.put("retryDelayExpression", spec.retryDelay().toString());
        }
        n.put("notBefore", notBeforeMillis);
        n.put("createdAt", createdAtMillis);
        if (spec.callback() != null) {
            n.put("callback", spec.callback());
        }
        if (spec.failureCallback() != null) {
            n.put("failureCallback", spec.failureCallback());
        }
        n.put("callerIp", callerIp);
        synchronized (this) {
            n.put("retried", retried);
        }
        return n;
    }

    /** Puts {@code bytes} as UTF-8 text under {@code textField}, or as base64 under {@code base64Field}. */
    static void putBody(ObjectNode n, String textField, String base64Field, byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            n.put(textField, text);
        } catch (CharacterCodingException e) {
            n.put(base64Field, Base64.getEncoder().encodeToString(bytes));
        }
    }

    /** Headers as QStash writes them in JSON: name to list of values. */
    static void putHeaders(ObjectNode into, String field, Map<String, List<String>> headers) {
        ObjectNode h = into.putObject(field);
        headers.forEach((k, values) -> {
            if (k != null && !k.startsWith(":")) {
                String name = PublishSpec.canonical(k);
                ArrayNode array = h.get(name) instanceof ArrayNode existing ? existing : h.putArray(name);
                values.forEach(array::add);
            }
        });
    }
}
