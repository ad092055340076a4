package io.durableruns.qstash;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** The {@code body} claim of a QStash signature: base64url(SHA-256(raw bytes)). */
final class BodyHash {
    private static final Base64.Encoder PADDED = Base64.getUrlEncoder();
    private static final Base64.Encoder UNPADDED = Base64.getUrlEncoder().withoutPadding();

    private BodyHash() {}

    /** With {@code =} padding, exactly as QStash puts it in the claim. */
    static String padded(byte[] body) {
        return PADDED.encodeToString(sha256(body));
    }

    /** Without padding, for comparisons. */
    static String unpadded(byte[] body) {
        return UNPADDED.encodeToString(sha256(body));
    }

    static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM, which indicates a broken runtime", e);
        }
    }
}
