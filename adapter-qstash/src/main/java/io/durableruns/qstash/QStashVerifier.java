package io.durableruns.qstash;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.KeyLengthException;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.durableruns.ports.in.MessageVerifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies the {@code Upstash-Signature} of a QStash delivery, strictly:
 *
 * <ol>
 *   <li>a missing or blank header is refused;
 *   <li>the header must say {@code alg: HS256} ({@code none} and every other algorithm are refused);
 *   <li>the HMAC must verify with the current signing key or, failing that, with the next one (keys rotate);
 *   <li>{@code iss} must be {@code Upstash}; {@code exp} and {@code nbf} are checked against the clock with a
 *       small leeway; unknown claims and {@code aud: ""} are tolerated;
 *   <li>{@code sub} must equal the configured public URL of the endpoint (never the request's Host);
 *   <li>the {@code body} claim must equal base64url(SHA-256(raw body bytes)), padding ignored, compared in
 *       constant time.
 * </ol>
 *
 * It never throws for bad input: the result names the {@link Reason}, for logs and metrics only (callers
 * answer 401 without saying why). The {@link MessageVerifier} port does not pass the request URL, so a
 * verifier knows the URL(s) it protects: use {@link #forStepEndpoint} for step deliveries and
 * {@link #forFailureCallback} for the failure callback (strictest), or {@link #forJobEndpoints} for one
 * verifier shared by both routes. Thread-safe.
 *
 * <pre>{@code
 * QStashVerifier verifier = QStashVerifier.forStepEndpoint(QStashConfig.fromEnvironment(System.getenv()));
 * MessageVerifier.Verification v = verifier.verify(request.header("Upstash-Signature"), request.bodyAsBytes());
 * if (!v.valid()) { log.warn("refused step delivery: {}", v.reason()); answer 401; }
 * }</pre>
 */
public final class QStashVerifier implements MessageVerifier {

    /** Why a signature was refused; {@link #label()} is the {@code reason} of the {@link Verification}. */
    public enum Reason {
        OK,
        /** No {@code Upstash-Signature} header. */
        MISSING_SIGNATURE,
        /** Not a compact JWS, or claims of the wrong type, or no {@code exp}. */
        MALFORMED,
        /** The header names an algorithm other than HS256 (including {@code none}). */
        BAD_ALGORITHM,
        /** The HMAC verifies with neither signing key. */
        BAD_SIGNATURE,
        /** {@code iss} is not {@code Upstash}. */
        WRONG_ISSUER,
        /** {@code exp} has passed (beyond the leeway). */
        EXPIRED,
        /** {@code nbf} is still in the future (beyond the leeway). */
        NOT_YET_VALID,
        /** {@code sub} is not the public URL of this endpoint. */
        WRONG_SUBJECT,
        /** The body hash does not match the bytes received. */
        BODY_MISMATCH;

        private final String label = name().toLowerCase(Locale.ROOT);

        /** The lowercase name, e.g. {@code bad_signature}. */
        public String label() {
            return label;
        }
    }

    /** The default allowance for clock differences between QStash and this server. */
    public static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(5);

    private static final int MAX_SIGNATURE_LENGTH = 8192;

    private final MACVerifier current;
    private final MACVerifier next;
    private final Set<String> expectedUrls;
    private final long leewayMillis;
    private final Clock clock;

    private QStashVerifier(Builder b) {
        this.current = macVerifier(QStashConfig.QSTASH_CURRENT_SIGNING_KEY, b.currentSigningKey);
        this.next = macVerifier(QStashConfig.QSTASH_NEXT_SIGNING_KEY, b.nextSigningKey);
        if (b.expectedUrls.isEmpty() || b.expectedUrls.stream().anyMatch(u -> u == null || u.isBlank())) {
            throw new QStashConfigurationException(
                    "expectedUrl",
                    "the verifier needs the public URL of the endpoint it protects (the URL QStash was told to call).");
        }
        this.expectedUrls = Set.copyOf(b.expectedUrls);
        if (b.leeway.isNegative()) {
            throw new QStashConfigurationException(
                    "leeway", "the verifier leeway must not be negative, was " + b.leeway);
        }
        this.leewayMillis = b.leeway.toMillis();
        this.clock = b.clock;
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    /** A verifier for step deliveries: {@code sub} must be {@link QStashConfig#stepUrl()}. */
    public static QStashVerifier forStepEndpoint(QStashConfig config) {
        return fromConfig(config).expectedUrl(config.stepUrl()).build();
    }

    /** A verifier for failure callbacks: {@code sub} must be {@link QStashConfig#failureUrl()}. */
    public static QStashVerifier forFailureCallback(QStashConfig config) {
        return fromConfig(config).expectedUrl(config.failureUrl()).build();
    }

    /**
     * One verifier for both job routes: {@code sub} must be {@link QStashConfig#stepUrl()} or
     * {@link QStashConfig#failureUrl()}. Prefer one verifier per route where the caller can hold two.
     */
    public static QStashVerifier forJobEndpoints(QStashConfig config) {
        return fromConfig(config)
                .expectedUrl(config.stepUrl())
                .expectedUrl(config.failureUrl())
                .build();
    }

    private static Builder fromConfig(QStashConfig config) {
        return newBuilder().currentSigningKey(config.currentSigningKey()).nextSigningKey(config.nextSigningKey());
    }

    /** The URLs that {@code sub} may equal. */
    public Set<String> expectedUrls() {
        return expectedUrls;
    }

    @Override
    public Verification verify(String signature, byte[] rawBody) {
        Reason reason = check(signature, rawBody);
        return reason == Reason.OK ? Verification.OK : Verification.refused(reason.label());
    }

    /** Like {@link #verify} but returns the typed reason ({@link Reason#OK} when valid). */
    public Reason check(String signature, byte[] rawBody) {
        try {
            return checkUnsafe(signature, rawBody == null ? new byte[0] : rawBody);
        } catch (RuntimeException e) {
            return Reason.MALFORMED;
        }
    }

    private Reason checkUnsafe(String signature, byte[] rawBody) {
        if (signature == null || signature.isBlank()) {
            return Reason.MISSING_SIGNATURE;
        }
        String token = signature.strip();
        if (token.length() > MAX_SIGNATURE_LENGTH) {
            return Reason.MALFORMED;
        }
        int dot = token.indexOf('.');
        if (dot <= 0) {
            return Reason.MALFORMED;
        }
        Reason algorithm = checkAlgorithm(token.substring(0, dot));
        if (algorithm != Reason.OK) {
            return algorithm;
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            return Reason.MALFORMED;
        }
        if (!verifies(jwt, current) && !verifies(jwt, next)) {
            return Reason.BAD_SIGNATURE;
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
            return checkClaims(claims, rawBody);
        } catch (ParseException e) {
            return Reason.MALFORMED;
        }
    }

    private static Reason checkAlgorithm(String encodedHeader) {
        Map<String, Object> header;
        try {
            header = JSONObjectUtils.parse(new Base64URL(encodedHeader).decodeToString());
        } catch (ParseException e) {
            return Reason.MALFORMED;
        }
        return "HS256".equals(header.get("alg")) ? Reason.OK : Reason.BAD_ALGORITHM;
    }

    private static boolean verifies(SignedJWT jwt, MACVerifier verifier) {
        try {
            return jwt.verify(verifier);
        } catch (JOSEException | IllegalStateException e) {
            return false;
        }
    }

    private Reason checkClaims(JWTClaimsSet claims, byte[] rawBody) throws ParseException {
        if (!"Upstash".equals(claims.getStringClaim("iss"))) {
            return Reason.WRONG_ISSUER;
        }
        Date exp = claims.getDateClaim("exp");
        if (exp == null) {
            return Reason.MALFORMED;
        }
        long now = clock.millis();
        if (exp.getTime() <= now - leewayMillis) {
            return Reason.EXPIRED;
        }
        Date nbf = claims.getDateClaim("nbf");
        if (nbf != null && nbf.getTime() > now + leewayMillis) {
            return Reason.NOT_YET_VALID;
        }
        String sub = claims.getStringClaim("sub");
        if (sub == null || !expectedUrls.contains(sub)) {
            return Reason.WRONG_SUBJECT;
        }
        String bodyClaim = claims.getStringClaim("body");
        if (bodyClaim == null) {
            return Reason.BODY_MISMATCH;
        }
        byte[] claimed = stripPadding(bodyClaim).getBytes(StandardCharsets.US_ASCII);
        byte[] actual = BodyHash.unpadded(rawBody).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(claimed, actual) ? Reason.OK : Reason.BODY_MISMATCH;
    }

    private static String stripPadding(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '=') {
            end--;
        }
        return s.substring(0, end);
    }

    private static MACVerifier macVerifier(String variable, String key) {
        if (key == null || key.isBlank()) {
            throw new QStashConfigurationException(
                    variable, variable + " is not set: the verifier needs both signing keys.");
        }
        try {
            return new MACVerifier(key.getBytes(StandardCharsets.UTF_8));
        } catch (KeyLengthException e) {
            throw new QStashConfigurationException(
                    variable,
                    variable
                            + " is too short: QStash signing keys are 32 characters long, sig_ included; copy the whole key.");
        } catch (JOSEException e) {
            throw new QStashConfigurationException(
                    variable, variable + " cannot be used as an HMAC key: " + e.getMessage());
        }
    }

    /** Builds a {@link QStashVerifier}; both keys and the expected URL are required. */
    public static final class Builder {
        private String currentSigningKey;
        private String nextSigningKey;
        private final Set<String> expectedUrls = new LinkedHashSet<>();
        private Duration leeway = DEFAULT_LEEWAY;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        public Builder currentSigningKey(String value) {
            this.currentSigningKey = value;
            return this;
        }

        public Builder nextSigningKey(String value) {
            this.nextSigningKey = value;
            return this;
        }

        /**
         * The public URL of the protected endpoint, exactly as published to QStash. Call it again to accept
         * another URL as well.
         */
        public Builder expectedUrl(String value) {
            this.expectedUrls.add(value);
            return this;
        }

        /** Allowance for clock differences when checking {@code exp} and {@code nbf} (default 5 s). */
        public Builder leeway(Duration value) {
            this.leeway = Objects.requireNonNull(value, "leeway");
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** @throws QStashConfigurationException when a key or the expected URL is missing or invalid */
        public QStashVerifier build() {
            return new QStashVerifier(this);
        }
    }
}
