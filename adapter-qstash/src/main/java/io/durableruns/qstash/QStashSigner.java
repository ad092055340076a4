package io.durableruns.qstash;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeyLengthException;
import com.nimbusds.jose.crypto.MACSigner;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Signs deliveries exactly as QStash does: a compact JWS with header {@code {"alg":"HS256","typ":"JWT"}},
 * HMAC-SHA256 keyed with the UTF-8 bytes of the whole {@code sig_...} key, and the claims {@code iss}
 * ({@code Upstash}), {@code sub} (the destination URL), {@code exp} ({@code iat + 300}), {@code nbf}
 * ({@code = iat}), {@code iat}, {@code jti} ({@code jwt_...}), {@code body} (base64url of the SHA-256 of the
 * raw body, with {@code =} padding) and {@code aud} ({@code ""}).
 *
 * <p>Used by the local emulator, and by tests that need to produce genuine deliveries.
 *
 * <pre>{@code
 * QStashSigner signer = new QStashSigner("sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r");
 * String signature = signer.sign("https://runs.example.com/api/jobs/run-step", body);
 * }</pre>
 */
public final class QStashSigner {
    /** How long a QStash signature is valid after it was issued. */
    public static final long LIFETIME_SECONDS = 300;

    private static final String HEADER_JSON = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final String ENCODED_HEADER = B64URL.encodeToString(HEADER_JSON.getBytes(StandardCharsets.UTF_8));
    private static final JWSHeader HEADER =
            new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final char[] ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MACSigner signer;
    private final Clock clock;

    /** A signer using the system clock. */
    public QStashSigner(String signingKey) {
        this(signingKey, Clock.systemUTC());
    }

    /**
     * @param signingKey the whole key, {@code sig_} prefix included
     * @throws QStashConfigurationException when the key is shorter than 32 bytes
     */
    public QStashSigner(String signingKey, Clock clock) {
        Objects.requireNonNull(signingKey, "signingKey");
        this.clock = Objects.requireNonNull(clock, "clock");
        try {
            this.signer = new MACSigner(signingKey.getBytes(StandardCharsets.UTF_8));
        } catch (KeyLengthException e) {
            throw new QStashConfigurationException(
                    "signingKey",
                    "the signing key is too short: QStash signing keys are 32 characters long, sig_ included.");
        }
    }

    /** Signs a delivery of {@code body} to {@code url}, issued now. */
    public String sign(String url, byte[] body) {
        return sign(url, body, clock.instant());
    }

    /** Signs a delivery of {@code body} to {@code url}, issued at {@code issuedAt} (whole seconds). */
    public String sign(String url, byte[] body, Instant issuedAt) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(body, "body");
        long iat = issuedAt.getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", "Upstash");
        claims.put("sub", url);
        claims.put("exp", iat + LIFETIME_SECONDS);
        claims.put("nbf", iat);
        claims.put("iat", iat);
        claims.put("jti", newJwtId());
        claims.put("body", BodyHash.padded(body));
        claims.put("aud", "");
        return signClaims(claims);
    }

    /** Signs arbitrary claims with QStash's header; for tests that build unusual tokens. */
    String signClaims(Map<String, Object> claims) {
        try {
            String payload = B64URL.encodeToString(JSON.writeValueAsBytes(claims));
            String signingInput = ENCODED_HEADER + "." + payload;
            String signature = signer.sign(HEADER, signingInput.getBytes(StandardCharsets.US_ASCII))
                    .toString();
            return signingInput + "." + signature;
        } catch (JsonProcessingException | JOSEException e) {
            throw new IllegalStateException("signing a QStash JWT failed, which indicates a bug", e);
        }
    }

    private static String newJwtId() {
        char[] id = new char[28];
        for (int i = 0; i < id.length; i++) {
            id[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return "jwt_" + new String(id);
    }
}
