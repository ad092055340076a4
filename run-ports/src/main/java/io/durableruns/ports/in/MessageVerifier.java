package io.durableruns.ports.in;

/**
 * Checks that a step message really comes from the queue (QStash's {@code Upstash-Signature}), before the
 * message is parsed or anything is stored. Implemented by {@code adapter-qstash}, used by the HTTP adapter.
 */
@FunctionalInterface
public interface MessageVerifier {

    /**
     * @param signature the signature header, or {@code null} when the request had none
     * @param rawBody the request body exactly as received (never re-serialised)
     */
    Verification verify(String signature, byte[] rawBody);

    /**
     * The result of a check. {@code reason} names why a message was refused (for logs and metrics, never for
     * the caller); it is {@code "ok"} for a valid message.
     */
    record Verification(boolean valid, String reason) {
        public static final Verification OK = new Verification(true, "ok");

        public static Verification refused(String reason) {
            return new Verification(false, reason);
        }
    }
}
