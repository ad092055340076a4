package io.durableruns.http;

import io.durableruns.ports.in.MessageVerifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * A stand-in for the QStash verifier: a request is genuine when its signature is {@code sha256=} followed by
 * the base64url SHA-256 of the exact body bytes. Enough to prove that the adapter hands over the raw body
 * and refuses what the verifier refuses.
 */
final class FakeVerifier implements MessageVerifier {

    static String sign(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "sha256=" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sign(String body) {
        return sign(body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Verification verify(String signature, byte[] rawBody) {
        if (signature == null) {
            return Verification.refused("missing_signature");
        }
        if (!MessageDigest.isEqual(
                signature.getBytes(StandardCharsets.UTF_8), sign(rawBody).getBytes(StandardCharsets.UTF_8))) {
            return Verification.refused("body_hash_mismatch");
        }
        return Verification.OK;
    }
}
