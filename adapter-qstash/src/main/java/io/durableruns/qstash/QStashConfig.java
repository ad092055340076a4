package io.durableruns.qstash;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The settings of the QStash adapter: where QStash is, how to authenticate to it, the keys it signs
 * deliveries with, and the public base URL at which QStash reaches this server.
 *
 * <p>Built from environment variables:
 *
 * <ul>
 *   <li>{@code QSTASH_URL}: the QStash API, default {@code https://qstash.upstash.io}
 *   <li>{@code QSTASH_TOKEN}: the bearer token (required)
 *   <li>{@code QSTASH_CURRENT_SIGNING_KEY}, {@code QSTASH_NEXT_SIGNING_KEY}: the signing keys (required)
 *   <li>{@code RUNS_PUBLIC_URL}: the public base URL of this server as QStash calls it (required); steps are
 *       delivered to {@code {RUNS_PUBLIC_URL}/api/jobs/run-step} and failure callbacks to
 *       {@code {RUNS_PUBLIC_URL}/api/jobs/step-failed}
 * </ul>
 *
 * <pre>{@code
 * QStashConfig config = QStashConfig.fromEnvironment(System.getenv());
 * MessageVerifier verifier = QStashVerifier.forStepEndpoint(config);
 * }</pre>
 *
 * {@link #toString()} never shows the token or the keys.
 */
public final class QStashConfig {
    public static final String QSTASH_URL = "QSTASH_URL";
    public static final String QSTASH_TOKEN = "QSTASH_TOKEN";
    public static final String QSTASH_CURRENT_SIGNING_KEY = "QSTASH_CURRENT_SIGNING_KEY";
    public static final String QSTASH_NEXT_SIGNING_KEY = "QSTASH_NEXT_SIGNING_KEY";
    public static final String RUNS_PUBLIC_URL = "RUNS_PUBLIC_URL";

    /** The QStash API used when {@code QSTASH_URL} is not set. */
    public static final String DEFAULT_QSTASH_URL = "https://qstash.upstash.io";
    /** The path of the step endpoint, below the public base URL. */
    public static final String STEP_PATH = "/api/jobs/run-step";
    /** The path of the failure-callback endpoint, below the public base URL. */
    public static final String FAILURE_PATH = "/api/jobs/step-failed";

    /** HMAC-SHA256 keys shorter than 256 bits are refused by the JOSE library; QStash keys are 32 characters. */
    static final int MIN_SIGNING_KEY_BYTES = 32;

    private final URI qstashUrl;
    private final String token;
    private final String currentSigningKey;
    private final String nextSigningKey;
    private final String publicUrl;

    private QStashConfig(Builder b) {
        this.qstashUrl = parseUrl(QSTASH_URL, b.qstashUrl == null ? DEFAULT_QSTASH_URL : b.qstashUrl);
        this.token = required(
                QSTASH_TOKEN,
                b.token,
                "set it to the token of your QStash project (or the token printed by the local emulator, `qstash-dev`)");
        this.currentSigningKey = signingKey(QSTASH_CURRENT_SIGNING_KEY, b.currentSigningKey);
        this.nextSigningKey = signingKey(QSTASH_NEXT_SIGNING_KEY, b.nextSigningKey);
        String pub = required(
                RUNS_PUBLIC_URL,
                b.publicUrl,
                "set it to the public base URL at which QStash reaches this server, e.g. https://runs.example.com");
        this.publicUrl = stripTrailingSlashes(parseUrl(RUNS_PUBLIC_URL, pub).toString());
    }

    /**
     * Reads the settings from an environment such as {@link System#getenv()}.
     *
     * @throws QStashConfigurationException naming the first variable that is missing or invalid
     */
    public static QStashConfig fromEnvironment(Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        return newBuilder()
                .qstashUrl(blankToNull(environment.get(QSTASH_URL)))
                .token(environment.get(QSTASH_TOKEN))
                .currentSigningKey(environment.get(QSTASH_CURRENT_SIGNING_KEY))
                .nextSigningKey(environment.get(QSTASH_NEXT_SIGNING_KEY))
                .publicUrl(environment.get(RUNS_PUBLIC_URL))
                .build();
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    /** The QStash API base URL, without a trailing slash. */
    public URI qstashUrl() {
        return qstashUrl;
    }

    public String token() {
        return token;
    }

    public String currentSigningKey() {
        return currentSigningKey;
    }

    public String nextSigningKey() {
        return nextSigningKey;
    }

    /** The public base URL of this server, without a trailing slash. */
    public String publicUrl() {
        return publicUrl;
    }

    /** The URL QStash delivers steps to: {@code {public}/api/jobs/run-step}. */
    public String stepUrl() {
        return publicUrl + STEP_PATH;
    }

    /** The URL QStash calls when it gives up on a message: {@code {public}/api/jobs/step-failed}. */
    public String failureUrl() {
        return publicUrl + FAILURE_PATH;
    }

    @Override
    public String toString() {
        return "QStashConfig[qstashUrl=" + qstashUrl + ", publicUrl=" + publicUrl
                + ", token=(set), currentSigningKey=(set), nextSigningKey=(set)]";
    }

    private static String required(String variable, String value, String hint) {
        if (value == null || value.isBlank()) {
            throw new QStashConfigurationException(variable, variable + " is not set: " + hint + ".");
        }
        return value.strip();
    }

    private static String signingKey(String variable, String value) {
        String key = required(
                variable,
                value,
                "copy it from the signing keys of your QStash project (or from the local emulator, `qstash-dev`)");
        if (key.getBytes(StandardCharsets.UTF_8).length < MIN_SIGNING_KEY_BYTES) {
            throw new QStashConfigurationException(
                    variable,
                    variable + " is too short (" + key.length()
                            + " characters): QStash signing keys start with sig_ and are " + MIN_SIGNING_KEY_BYTES
                            + " characters long; copy the whole key.");
        }
        return key;
    }

    private static URI parseUrl(String variable, String value) {
        String v = value.strip();
        try {
            URI uri = new URI(stripTrailingSlashes(v));
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new QStashConfigurationException(
                        variable, variable + " must be an absolute http:// or https:// URL, was '" + v + "'.");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new QStashConfigurationException(
                        variable, variable + " must not have a query or fragment, was '" + v + "'.");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new QStashConfigurationException(
                    variable, variable + " is not a valid URL ('" + v + "'): " + e.getReason() + ".");
        }
    }

    private static String stripTrailingSlashes(String s) {
        String r = s;
        while (r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Builds a {@link QStashConfig}; {@link #build()} validates every field and names the first bad one. */
    public static final class Builder {
        private String qstashUrl;
        private String token;
        private String currentSigningKey;
        private String nextSigningKey;
        private String publicUrl;

        private Builder() {}

        /** The QStash API base URL (default {@code https://qstash.upstash.io}). */
        public Builder qstashUrl(String value) {
            this.qstashUrl = value;
            return this;
        }

        public Builder token(String value) {
            this.token = value;
            return this;
        }

        public Builder currentSigningKey(String value) {
            this.currentSigningKey = value;
            return this;
        }

        public Builder nextSigningKey(String value) {
            this.nextSigningKey = value;
            return this;
        }

        /** The public base URL of this server as QStash calls it. */
        public Builder publicUrl(String value) {
            this.publicUrl = value;
            return this;
        }

        /** @throws QStashConfigurationException naming the first missing or invalid setting */
        public QStashConfig build() {
            return new QStashConfig(this);
        }
    }
}
